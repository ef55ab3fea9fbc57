"""The desktop program's side of synchronisation: the connection to the city server."""
