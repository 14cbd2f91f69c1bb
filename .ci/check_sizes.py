"""Size limits of the addon's code (issue 13): a file of at most 600 lines, a function of at most
60 lines (decorators and docstring included). Tests and bench/ are left out.

    python .ci/check_sizes.py ROOT      exit 1 and list what is over, else print nothing

Files other branches are still splitting are listed in PENDING with their owner; a pending file
is reported only when it grows past the size it had when it was listed.
"""

import ast
import sys
from pathlib import Path

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 60
SKIPPED = ("tests", "bench", ".venv", ".dev", ".git", "migrations")
# path: (owner, lines of the file, {function: lines}) as they were when listed
PENDING = {}


def check(root):
    problems = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.split("/", 1)[0] in SKIPPED:
            continue
        owner, file_limit, function_limits = PENDING.get(relative, (None, 0, {}))
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > max(MAX_FILE_LINES, file_limit):
            problems.append(f"{relative}: {lines} lines (at most {MAX_FILE_LINES})")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = node.end_lineno - start + 1
            if length > max(MAX_FUNCTION_LINES, function_limits.get(node.name, 0)):
                problems.append(
                    f"{relative}:{node.lineno}: {node.name} has {length} lines "
                    f"(at most {MAX_FUNCTION_LINES})" + (f", owner {owner}" if owner else "")
                )
    return problems


if __name__ == "__main__":
    found = check(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve())
    print("\n".join(found))
    sys.exit(1 if found else 0)
