#!/usr/bin/env python3
"""Writes a man page (roff, man(7) macros) from a program's own --help, so the page can
never drift from the program: the usage lines become SYNOPSIS, the rest DESCRIPTION, and
with --commands every command listed under "Commands:" gets a subsection holding its
`PROGRAM COMMAND --help`. Text is kept preformatted (.nf), with roff's special characters
escaped, so the page reads as --help does.

  make_man.py --program build/app/cli/snilab-cli --name snilab-cli \\
      --summary "headless twin of the snilab workbench" --version 0.1.0 --commands \\
      --see-also snilab --out snilab-cli.1
"""
import argparse
import os
import re
import subprocess
import sys


def run_help(program, *args):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LC_ALL="C.UTF-8")
    p = subprocess.run([program, *args, "--help"], capture_output=True, text=True, env=env)
    text = p.stdout or p.stderr
    if p.returncode != 0 or not text.strip():
        sys.exit(f"make_man: {program} {' '.join(args)} --help exited {p.returncode}: {p.stderr}")
    return text


def roff(text):
    """Preformatted lines, safe for roff: backslashes as \\e, a leading . or ' neutralised."""
    out = []
    for line in text.rstrip("\n").split("\n"):
        line = line.replace("\\", "\\e").replace("-", "\\-")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line if line else ".sp")
    return "\n".join(out)


def split_usage(text):
    """(usage lines, the rest) of a help text that starts with "usage:"."""
    lines = text.rstrip("\n").split("\n")
    usage = []
    while lines and (lines[0].startswith("usage:") or (usage and lines[0].startswith(" "))):
        line = lines.pop(0)
        usage.append(line[len("usage: "):] if line.startswith("usage: ") else line)
    while lines and not lines[0].strip():
        lines.pop(0)
    return usage, "\n".join(lines)


def commands_of(text):
    """The command names listed under "Commands:" (two-space indent, a name, spaces)."""
    names, inside = [], False
    for line in text.split("\n"):
        if line.strip() == "Commands:":
            inside = True
            continue
        if inside:
            m = re.match(r"^  ([a-z][a-z0-9-]*)\s{2,}", line)
            if not m:
                if line.strip() and not line.startswith("   "):
                    break
                continue
            if m.group(1) != "help":
                names.append(m.group(1))
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--program", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--commands", action="store_true")
    ap.add_argument("--see-also", action="append", default=[])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    text = run_help(a.program)
    usage, rest = split_usage(text)
    name = a.name.replace("-", "\\-")
    page = ['.TH %s 1 "" "snilab %s" "User Commands"' % (name.upper(), a.version),
            ".SH NAME", "%s \\- %s" % (name, a.summary),
            ".SH SYNOPSIS", ".nf", roff("\n".join(usage)), ".fi",
            ".SH DESCRIPTION", ".nf", roff(rest), ".fi"]
    if a.commands:
        names = commands_of(text)
        if not names:
            sys.exit(f"make_man: no commands listed in {a.program} --help")
        page.append(".SH COMMANDS")
        for command in names:
            page += [f".SS {command}", ".nf", roff(run_help(a.program, command)), ".fi"]
    if a.see_also:
        page += [".SH SEE ALSO",
                 ",\n".join("\\fB%s\\fR(1)" % s.replace("-", "\\-") for s in a.see_also)]
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(page) + "\n")
    os.replace(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
