"""The blank audit workbook (`make template`): see ``helpers.template.workbook``."""
from .workbook import write_template

__all__ = ["write_template"]
