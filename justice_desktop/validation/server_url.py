"""The city server's address as a clerk types it on 设置 → 同步.

Accepted: ``https://sfj.example.gov.cn``, ``sfj.example.gov.cn`` (https is assumed),
``http://10.1.2.3:8000``, ``https://[2001:db8::1]``, an internationalised name
(``https://司法局.中国``) and a path (``https://portal.example.gov.cn/sync``). Full-width
punctuation typed with a Chinese input method (``https：／／…``, ``。`` between the parts of the
name) is read as its half-width form. Refused with a Chinese message saying what is wrong:
spaces, another scheme (``ftp://``), a missing or malformed host name, a port that is not a
number from 1 to 65535, a user name or password in the address, ``?`` or ``#``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from justice_desktop.validation.errors import ValidationError

__all__ = ["validate_server_url"]

_EXAMPLE = "请填写如 https://sfj.example.gov.cn 的地址"
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.ASCII)


def _host_ok(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.lower().split(".")
    return 0 < len(ascii_host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def validate_server_url(value: str, field: str = "url") -> str:
    """The address with its scheme (https when none was typed) and without a trailing slash,
    or a :class:`ValidationError` naming what is wrong."""
    text = unicodedata.normalize("NFKC", value or "").strip().replace("。", ".")
    if not text:
        raise ValidationError(field, "请填写市局服务器的地址")
    if any(char.isspace() for char in text):
        raise ValidationError(field, f"服务器地址不正确：地址中不能有空格，{_EXAMPLE}")
    if "://" not in text:
        if re.match(r"https?:", text, re.IGNORECASE):
            raise ValidationError(field, f"服务器地址不正确：“:”后应为“//”，{_EXAMPLE}")
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed "[" of an IPv6 address
        raise ValidationError(field, f"服务器地址不正确：主机名有误，{_EXAMPLE}") from None
    try:
        port = parts.port
    except ValueError:
        port = 0
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError(field, f"服务器地址不正确：应以 https:// 或 http:// 开头，{_EXAMPLE}")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError(
            field, "服务器地址不正确：地址中不要填写用户名或密码，请分别填在下面的栏中"
        )
    if not parts.hostname or not _host_ok(parts.hostname):
        raise ValidationError(field, f"服务器地址不正确：主机名有误，{_EXAMPLE}")
    if port == 0:
        raise ValidationError(field, f"服务器地址不正确：端口应为1到65535之间的数字，{_EXAMPLE}")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValidationError(field, "服务器地址不正确：不能包含“?”或“#”")
    return text.rstrip("/")
