"""Errors of the local store, each with a message a clerk can act on (Simplified Chinese)."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: ``str(err)`` is the Chinese message to show."""


class KeyringUnavailableError(StoreError):
    def __init__(self, detail: str = "") -> None:
        msg = (
            "未找到可用的系统密钥环，无法安全保存数据库密钥。"
            "Windows 上请确认“凭据管理器”服务已启用；统信 UOS、麒麟或其他 Linux 桌面请安装并解锁"
            "“密钥环”（gnome-keyring 或 KWallet）后重新启动本程序。"
            "也可以用恢复密钥打开数据库：justice-desktop --recovery-key。"
            "程序不会把密钥以明文保存到文件。"
        )
        super().__init__(msg + (f"（{detail}）" if detail else ""))


class WrongKeyError(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "数据库密钥不正确，无法打开加密的数据库文件。"
            "如果系统密钥环中的密钥丢失或被更换，请使用首次建库时保存的恢复密钥打开。"
        )


class MissingKeyError(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "系统密钥环中没有找到本数据库的密钥。请使用首次建库时保存的恢复密钥打开："
            "justice-desktop --recovery-key"
        )


class BadRecoveryKeyError(StoreError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"恢复密钥格式不正确：{reason}。请对照纸质记录逐组核对后重新输入。")


class DamagedDatabaseError(StoreError):
    def __init__(self, path: str, detail: str, backups: list[str]) -> None:
        hint = (
            "可用的备份有：" + "、".join(backups) + "。请运行 justice-desktop restore 从备份恢复。"
            if backups
            else "没有找到备份。请勿删除该文件，联系技术支持协助修复。"
        )
        super().__init__(f"数据库文件已损坏（{path}）：{detail}。{hint}")
        self.backups = backups


class DatabaseNotFoundError(StoreError):
    def __init__(self, path: str) -> None:
        super().__init__(f"没有找到数据库（{path}）。请先运行 justice-desktop init 创建数据库。")


class NewerSchemaError(StoreError):
    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"该数据库由更新版本的程序创建（结构版本 {found}，本程序支持到 {known}）。"
            "请升级本程序后再打开，数据不会被改动。"
        )


class ConcurrentEditError(StoreError):
    def __init__(self, label: str) -> None:
        super().__init__(f"{label}已被他人修改，请重新打开后再保存。您填写的内容已保留。")


class RecordNotFoundError(StoreError):
    def __init__(self, label: str) -> None:
        super().__init__(f"没有找到该{label}，可能已被删除。")


class NumberBlockExhaustedError(StoreError):
    def __init__(self, committee: str, year: int) -> None:
        super().__init__(
            f"{committee}{year}年的案件编号段已用完。请连接市级服务器同步以领取新的编号段，"
            "或由管理员用 justice-desktop blocks add 登记新的编号段。"
        )
