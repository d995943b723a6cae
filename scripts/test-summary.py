#!/usr/bin/env python3
"""Prints one line per test class from Surefire/Failsafe XML reports, the reason of every skipped test,
and a closing 'N passed, N failed, N skipped' line. Run from the repository root after ./mvnw verify."""
import glob
import re
import xml.etree.ElementTree as ET

# Surefire keeps what a test printed, control characters and non-characters included (fuzz inputs have them),
# written as themselves, as character references XML 1.0 does not allow (&#0;) or as a broken entity (&amp#0;);
# they are dropped, so every report reads.
NOT_XML = re.compile(
    r"&(?:amp)?#(?:x0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));"
    r"|&amp#[0-9]+;|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def parse(report):
    with open(report, encoding="utf-8", errors="replace") as file:
        return ET.fromstring(NOT_XML.sub("", file.read()))


def skip_reason(element):
    """The reason of a skip: its message, or for an assumption that failed (reported without one) the first line of
    its text, 'TestAbortedException: Assumption failed: <reason>'."""
    message = element.get("message")
    if message:
        return message
    first = (element.text or "").strip().splitlines()[:1]
    if first and "Assumption failed: " in first[0]:
        return "assumption: " + first[0].split("Assumption failed: ", 1)[1]
    return first[0] if first else "no reason given"


passed = failed = skipped = 0
reasons = {}
for report in sorted(glob.glob("**/target/*-reports/TEST-*.xml", recursive=True)):
    suite = parse(report)
    name = suite.get("name")
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for case in suite.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            counts["failed"] += 1
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
            message = skip_reason(case.find("skipped"))
            reasons.setdefault((name, message), 0)
            reasons[(name, message)] += 1
        else:
            counts["passed"] += 1
    passed += counts["passed"]
    failed += counts["failed"]
    skipped += counts["skipped"]
    print(f"{name}: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
for (name, message), n in sorted(reasons.items()):
    print(f"skipped {n} in {name}: {message}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
