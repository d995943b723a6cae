#!/usr/bin/env bash
# Publishes Fairlead's Gateway API conformance report:
#   conformance/reports/v<Gateway API version>/fairlead-report.yaml   the official suite's report, as it wrote it
#   docs/conformance.md                                                its table: profiles, pass counts, features
#   README.md                                                          its summary: profiles, pass counts
#
#   scripts/conformance-report.sh            runs GatewayConformanceRealNodeIT (./mvnw ... -Pconformance), then
#                                            publishes the report it wrote; a failed suite publishes nothing
#   scripts/conformance-report.sh REPORT     publishes REPORT, a report the suite wrote (e2e/target/conformance/)
#
# The Gateway API version is GATEWAY_API_VERSION of scripts/provision.sh, the one the suite was built at. Needs
# python3 with PyYAML (Debian: python3-yaml).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(sed -n 's/^GATEWAY_API_VERSION=\([0-9.]*\).*/\1/p' "$root/scripts/provision.sh")
[ -n "$version" ] || { echo "conformance-report: no GATEWAY_API_VERSION in scripts/provision.sh" >&2; exit 1; }
python3 -c 'import yaml' 2>/dev/null ||
  { echo "conformance-report: python3 has no PyYAML (Debian: apt-get install python3-yaml)" >&2; exit 1; }

report=${1:-}
if [ -z "$report" ]; then
  rm -rf "$root"/*/target/failsafe-reports
  (cd "$root" && ./mvnw -B -ntp -pl e2e -am verify -Pconformance -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=GatewayConformanceRealNodeIT -Dfailsafe.failIfNoSpecifiedTests=false)
  report=$root/e2e/target/conformance/report.yaml
fi
[ -f "$report" ] || { echo "conformance-report: $report does not exist" >&2; exit 1; }

out=$root/conformance/reports/v$version
mkdir -p "$out"
cp "$report" "$out/fairlead-report.yaml"

python3 - "$out/fairlead-report.yaml" "$root/docs/conformance.md" "$root/conformance/skip-tests.txt" \
  "$root/README.md" <<'PY'
import re
import sys

import yaml

report_file, doc_file, skip_file, readme_file = sys.argv[1:]
with open(report_file) as f:
    report = yaml.safe_load(f)

def counts(part):
    s = (part or {}).get("statistics", {})
    return "%d / %d / %d" % (s.get("Passed", 0), s.get("Failed", 0), s.get("Skipped", 0))

impl = report.get("implementation", {})
rows = [
    "Fairlead %s against Gateway API %s (%s channel), mode `%s`, run on %s."
    % (impl.get("version", "?"), report.get("gatewayAPIVersion", "?"), report.get("gatewayAPIChannel", "?"),
       report.get("mode", "?"), report.get("date", "?")),
    "",
    "| profile | core | core passed / failed / skipped | extended | extended passed / failed / skipped "
    "| extended features Fairlead supports |",
    "|---|---|---|---|---|---|",
]
for profile in sorted(report.get("profiles", []), key=lambda p: p["name"]):
    core, extended = profile.get("core", {}), profile.get("extended", {})
    rows.append("| %s | %s | %s | %s | %s | %s |" % (
        profile["name"], core.get("result", "-"), counts(core), extended.get("result", "-"), counts(extended),
        ", ".join("`%s`" % f for f in extended.get("supportedFeatures", [])) or "none"))
skipped = []
with open(skip_file) as f:
    for line in f:
        line = line.split("#", 1)[0].strip()
        if line:
            name, reason = line.split(None, 1)
            skipped.append("| `%s` | %s |" % (name, reason))
rows += ["", "Tests skipped because they fail on Fairlead today (`conformance/skip-tests.txt`):", ""]
rows += ["| test | why |", "|---|---|"] + skipped if skipped else ["none."]

def passed(part):
    s = (part or {}).get("statistics", {})
    total = s.get("Passed", 0) + s.get("Failed", 0) + s.get("Skipped", 0)
    return "%d of %d" % (s.get("Passed", 0), total) if total else "-"

summary = [
    "Gateway API %s, Fairlead %s, run on %s ([the report](conformance/reports/%s/fairlead-report.yaml), "
    "[features and skipped tests](docs/conformance.md)):"
    % (report.get("gatewayAPIVersion", "?"), impl.get("version", "?"), report.get("date", "?"),
       report.get("gatewayAPIVersion", "?")),
    "",
    "| profile | core tests passed | extended tests passed | extended features |",
    "|---|---|---|---|",
]
for profile in sorted(report.get("profiles", []), key=lambda p: p["name"]):
    core, extended = profile.get("core", {}), profile.get("extended", {})
    summary.append("| %s | %s | %s | %d |" % (profile["name"], passed(core), passed(extended),
                                             len(extended.get("supportedFeatures", []))))

def replace_marked(path, lines):
    begin, end = "<!-- conformance-report:begin -->", "<!-- conformance-report:end -->"
    with open(path) as f:
        doc = f.read()
    if begin not in doc or end not in doc:
        sys.exit("conformance-report: %s has no %s ... %s markers" % (path, begin, end))
    doc = re.sub(re.escape(begin) + ".*?" + re.escape(end),
                 lambda _: begin + "\n" + "\n".join(lines) + "\n" + end, doc, flags=re.S)
    with open(path, "w") as f:
        f.write(doc)

replace_marked(doc_file, rows)
replace_marked(readme_file, summary)
print("conformance-report: %s, %s and %s written" % (report_file, doc_file, readme_file))
PY
