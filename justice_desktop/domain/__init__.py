"""The domain of the justice office: no Qt, no SQL."""
