"""JUnit XML, the test report Jenkins, GitLab (``artifacts:reports:junit``), Azure Pipelines and others read.

One ``testsuite``; one ``testcase`` per file (``name`` and ``file`` are its path). A file with error findings
has one ``failure`` whose message counts them and whose text lists every finding, one a line, as the text
format does. Warnings alone do not fail a file: they are listed in its ``system-out``. Times are 0 and there is no
timestamp, so the same input gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from ..console import printable
from ..results import FileResult, Totals, plural

NAME = "postmortem-check"
# Characters XML 1.0 cannot hold at all, even escaped (what printable() leaves of them).
_NOT_XML = re.compile("[\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` on one line, with control, bidi and undecodable characters escaped, and valid in XML 1.0."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text))


def finding_lines(result: FileResult, severity: str | None = None) -> str:
    return "\n".join(
        xml_text(f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule} {' '.join(f.message.split())}")
        for f in result.findings if severity is None or f.severity == severity
    )


class JunitReporter:
    """Collects one test case per file and writes the document when the run finishes."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.cases: list[ET.Element] = []
        self.failures = 0

    def file(self, result: FileResult) -> None:
        path = xml_text(result.path)
        case = ET.Element("testcase", {"classname": NAME, "name": path, "file": path, "time": "0"})
        if result.errors:
            self.failures += 1
            counts = f"{plural(result.errors, 'error')}, {plural(result.warnings, 'warning')}"
            failure = ET.SubElement(case, "failure", {"message": counts, "type": NAME})
            failure.text = finding_lines(result)
        elif result.warnings:
            ET.SubElement(case, "system-out").text = finding_lines(result, "warning")
        self.cases.append(case)

    def finish(self, totals: Totals) -> None:
        counts = {"tests": str(len(self.cases)), "failures": str(self.failures), "errors": "0", "time": "0"}
        suites = ET.Element("testsuites", {"name": NAME, **counts})
        suite = ET.SubElement(suites, "testsuite", {"name": NAME, **counts, "skipped": "0"})
        suite.extend(self.cases)
        ET.indent(suites)
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(ET.tostring(suites, encoding="unicode"))
        self.out.write("\n")
