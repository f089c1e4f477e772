"""Lists the packages under the aiops_mcp import name; pyproject.toml holds everything else.

The top-level folders are `server/`, `tools/` and `prompts/` (the layout the design asks for), but the
wheel must install them as `aiops_mcp.*`, never as generic top-level names. `package-dir` maps them;
this walk adds every sub-package so a new folder with an `__init__.py` needs no edit here.
"""

from pathlib import Path

from setuptools import setup

ROOTS = {"server": "aiops_mcp.server", "tools": "aiops_mcp.tools", "prompts": "aiops_mcp.prompts"}


def packages() -> list[str]:
    found = []
    for folder, name in ROOTS.items():
        for init in sorted(Path(folder).rglob("__init__.py")):
            rel = init.parent.relative_to(folder).parts
            found.append(".".join((name, *rel)))
    return found


setup(packages=packages())
