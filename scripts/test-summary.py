#!/usr/bin/env python3
"""Prints one line per test class from Surefire/Failsafe XML reports, the reason of every skipped test,
and a closing 'N passed, N failed, N skipped' line. Run from the repository root after ./mvnw verify."""
import glob
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
reasons = {}
for report in sorted(glob.glob("**/target/*-reports/TEST-*.xml", recursive=True)):
    suite = ET.parse(report).getroot()
    name = suite.get("name")
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for case in suite.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            counts["failed"] += 1
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
            message = case.find("skipped").get("message") or "no reason given"
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
