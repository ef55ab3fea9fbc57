"""Versioned code tables (纠纷类型, 案件来源, 民族 …) loaded from ``resources/codes``."""

from justice_desktop.codes.tables import (
    TABLE_NAMES,
    CodeEntry,
    CodeTable,
    default_resources_dir,
    load_code_tables,
    validate_addition,
)

__all__ = [
    "TABLE_NAMES",
    "CodeEntry",
    "CodeTable",
    "default_resources_dir",
    "load_code_tables",
    "validate_addition",
]
