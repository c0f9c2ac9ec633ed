#!/usr/bin/env python3
"""Extracts the runnable examples of Markdown files into scripts, for scripts/doc-examples.sh.

A fenced code block is runnable when its info string is the language followed by `run`:

    ```sh run          bash: all of a file's `sh run` / `bash run` blocks, in order, make one
    ```js run          script; all of its `js run` blocks one Node ES module (top-level await)

`norun` after the language says a block that looks runnable is not (it needs AWS, a long-running
process, or holds placeholders). A block without either that calls the API (curl, fetch,
WebSocket, BASE) is an error, so a new example can't silently go untested.

Usage: doc_examples.py OUTDIR FILE...
Writes OUTDIR/<FILE>.sh and OUTDIR/<FILE>.mjs (only those a file has), each block on the same
line numbers as in the Markdown, so an error's line number is the Markdown's. Prints one line
per script: `<bash|node> <FILE> <blocks> <script>`, tab-separated.
"""

import os
import re
import sys
from pathlib import Path

LANGS = {"sh": "bash", "bash": "bash", "js": "node", "javascript": "node", "mjs": "node"}
EXT = {"bash": ".sh", "node": ".mjs"}
OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^`]*?)\s*$")
LOOKS_RUNNABLE = re.compile(r"\bcurl\b|\bfetch\(|\bWebSocket\(|\bBASE\b")


def blocks(text):
    """Yields (line of the opening fence, 1-based; info words; body lines) per fenced block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3)
        close = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not close.match(lines[i]):
            line = lines[i]
            strip = len(line) - len(line.lstrip(" "))
            body.append(line[min(indent, strip):])
            i += 1
        i += 1  # the closing fence (or the end of the file)
        yield start, info.split(), body


def header(runner, md):
    if runner == "bash":
        # Line 1; every block then sits on its own Markdown line numbers, which $LINENO reports.
        return (
            "set -euo pipefail; "
            f"trap 'echo \"doc-examples: {md}:$LINENO failed (exit $?): $BASH_COMMAND\" >&2' ERR"
        )
    return f"// generated from {md} by scripts/doc_examples.py: line numbers are the Markdown's"


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, errors = Path(argv[1]), []
    for md in argv[2:]:
        scripts = {}  # runner -> (lines, count)
        for start, info, body in blocks(Path(md).read_text(encoding="utf-8")):
            lang, flags = (info[0] if info else ""), info[1:]
            if "run" in flags:
                runner = LANGS.get(lang)
                if runner is None:
                    errors.append(f"{md}:{start}: `run` on a `{lang}` block; runnable: {', '.join(LANGS)}")
                    continue
                lines, count = scripts.setdefault(runner, ([header(runner, md)], [0]))
                # Pad so the block's first line lands on the Markdown line after the fence.
                lines.extend([""] * (start - len(lines)))
                lines.extend(body)
                count[0] += 1
            elif "norun" not in flags and LOOKS_RUNNABLE.search("\n".join(body)):
                errors.append(
                    f"{md}:{start}: a ```{lang} block that calls the API is neither `run` nor `norun`"
                )
        for runner, (lines, count) in scripts.items():
            rel = os.path.relpath(md)
            path = out / ((Path(md).name if rel.startswith("..") else rel) + EXT[runner])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(f"{runner}\t{md}\t{count[0]}\t{path}")
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
