# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's report: the markdown table (copied into docs/performance.md) and the JSON results."""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import sys

from stats import FIXED_CADENCE_PRODUCT  # pylint: disable=import-error

HEADER = ("Scenario", "Metric", "ddm_job_info", "Baseline", "Ratio", "Target", "Met")
# The smaller list adds only a few MB and tenths of a second over the empty list: allow for that noise.
GROWTH_TOLERANCE = 1.1


def fmt(value, digits=1):
    return "-" if value is None else "%.*f" % (digits, value)


def ratio(value, digits=2):
    return "-" if value is None else "%.*fx" % (digits, value)


def met(condition):
    if condition is None:
        return "-"
    return "yes" if condition else "**no**"


def _row(scenario, metric, value, baseline="-", compared="-", target="-", verdict="-"):
    return (scenario, metric, value, baseline, compared, target, verdict)


def wait_rows(wait):
    summary = wait["summary"]
    gets, latency = summary["gets"], summary["schedule_latency"]
    gets_diff = None if gets["module"] is None or gets["uri"] is None else gets["module"] - gets["uri"]
    return [
        _row("1. wait, %d s task (median of %d)" % (wait["duration"], wait["reps"]), "wall time (s)", fmt(summary["wall"]["module"]),
             fmt(summary["wall"]["uri"]), ratio(summary["wall"]["ratio"]), "not judged"),
        _row("", "GETs", fmt(gets["module"]), fmt(gets["uri"]), fmt(gets_diff) if gets_diff is None else "%+.1f" % gets_diff,
             "<= baseline + 3", met(None if gets_diff is None else gets_diff <= 3)),
        _row("", "mean detection latency of the poll schedule (s)", fmt(latency["module"], 2), fmt(latency["uri"], 2), ratio(latency["ratio"]),
             "<= baseline", met(None if latency["ratio"] is None else latency["module"] <= latency["uri"])),
    ]


def progress_rows(progress):
    durations, product = progress["durations"], progress["latency_x_rate"]
    name = "2. progress-aware polling (%d tasks of %g-%g s, means)" % (len(durations), min(durations), max(durations))
    return [
        _row(name, "real detection latency (s)", fmt(progress["mean_detect_latency"], 2)),
        _row("", "GETs per minute of waiting", fmt(progress["mean_gets_per_minute"])),
        _row("", "latency x GETs/min (s*GET/min)", fmt(product), "%d (any fixed cadence)" % FIXED_CADENCE_PRODUCT,
             ratio(progress["ratio_to_fixed_cadence"]), "< %d" % FIXED_CADENCE_PRODUCT,
             met(None if product is None else product < FIXED_CADENCE_PRODUCT)),
    ]


def adhoc_rows(adhoc):
    wall, cpu, alone = adhoc["summary"]["wall"], adhoc["summary"]["cpu"], adhoc["alone_summary"]["wall"]
    rows = [
        _row("3. ad-hoc query (median of %d)" % adhoc["reps"], "wall time (s)", fmt(wall["module"], 2), fmt(wall["uri"], 2), ratio(wall["ratio"]),
             "<= 1.00x", met(None if wall["ratio"] is None else wall["ratio"] <= 1.0)),
        _row("", "CPU time (s)", fmt(cpu["module"], 2), fmt(cpu["uri"], 2), ratio(cpu["ratio"])),
        _row("", "module process alone, without Ansible: wall (s)", fmt(alone["module"], 3), fmt(alone["uri"], 3), ratio(alone["ratio"])),
    ]
    pairs = adhoc.get("pair_ratios")
    if pairs:
        spread = " [%s-%s]" % (ratio(pairs["q1"]), ratio(pairs["q3"])) if pairs["q1"] is not None else ""
        rows.append(_row("", "wall time per pair, module / uri: median [quartiles]", ratio(pairs["median"]) + spread))
    return rows


def scale_rows(scale):
    name = "4. scale: %d hosts, forks %d, %d/%d s limit" % (scale["hosts"], scale["forks"], scale["ratelimit"]["limit"], scale["ratelimit"]["window"])
    return [
        _row(name, "waits succeeded", "%d/%d" % (scale["succeeded"], scale["hosts"]), target="all", verdict=met(scale["succeeded"] == scale["hosts"])),
        _row("", "429 answers / GETs", "%d / %d" % (scale["throttled"], scale["gets"])),
        _row("", "wall time (s); worst detection latency (s)", "%s; %s" % (fmt(scale["wall"]), fmt(scale["max_detect_latency"])), target="not judged"),
    ]


def cpu_rows(cpu):
    summary = cpu["summary"]["cpu"]
    return [
        _row("5. CPU, %d s wait (median of %d)" % (cpu["duration"], cpu["reps"]), "CPU time, user+sys (s)", fmt(summary["module"], 2),
             fmt(summary["uri"], 2), ratio(summary["ratio"]), "<= 0.80x", met(None if summary["ratio"] is None else summary["ratio"] <= 0.8)),
    ]


def list_rows(listing):
    rows = []
    for index, run in enumerate(listing["runs"]):
        playbook, alone = run["playbook"], run["module"]
        value = "playbook run %s s, %s MB; module alone %s s, %s MB" % (
            fmt(playbook["wall"], 2), fmt(playbook["maxrss_mb"]), fmt(alone["wall"], 2), fmt(alone["maxrss_mb"]))
        rows.append(_row("6. list mode" if index == 0 else "", "%d tasks: wall, peak RSS" % run["tasks"], value))
    for kind in ("playbook", "module"):
        if listing["growth"][kind]:
            rows += growth_rows(listing["growth"][kind], "playbook run" if kind == "playbook" else "module alone", kind == "module")
    return rows


def instance_rows(listing):
    rows = []
    for index, run in enumerate(listing["runs"]):
        alone = run["module"]
        requests = "-" if alone["requests"] is None else alone["requests"]
        value = "%s s, %s s, %s MB (%s list requests)" % (fmt(alone["wall"], 2), fmt(alone["cpu"], 2), fmt(alone["maxrss_mb"]), requests)
        rows.append(_row("8. instance list mode, ddm_instance_info alone" if index == 0 else "",
                         "%d instances: wall, CPU, peak RSS (least of %d)" % (run["instances"], listing["reps"]), value))
    if listing["growth"]["module"]:
        rows += growth_rows(listing["growth"]["module"], "module alone", True, "instances")
    return rows


def growth_rows(growth, what, module_alone, unit="tasks"):
    """CPU time and peak RSS of the module process against linear growth. The wall time includes the
    emulator, and the playbook run ansible-core's controller, so they are shown, not judged."""
    limit = growth["size_ratio"] * GROWTH_TOLERANCE
    target = "<= %.0fx (linear, +%d%%)" % (growth["size_ratio"], round(100 * (GROWTH_TOLERANCE - 1)))
    rows = []
    for metric, label in (("wall", "wall time"), ("cpu", "CPU time"), ("maxrss_mb", "peak RSS")):
        judged = module_alone and metric != "wall"
        shown = "not judged (includes the emulator)" if metric == "wall" else "not judged (includes ansible-core's controller)"
        value = growth[metric]["ratio"]
        rows.append(_row("", "%s growth %d -> %d %s, above the empty list (%s)" % (label, growth["from"], growth["to"], unit, what), ratio(value, 1),
                         target=target if judged else shown, verdict=met(None if value is None or not judged else value <= limit)))
    return rows


def many_rows(many):
    runs = {(run["variant"], run["tasks"]): run for run in many["runs"]}
    big, small = runs.get(("job_ids", many["tasks"])), runs.get(("job_ids", many["small"]))
    forks = runs.get(("forks", many["tasks"]))
    durations, limit, window = many["durations"], many["ratelimit"]["limit"], many["ratelimit"].get("window", 60)
    per = "min" if window == 60 else "%g s" % window
    name = "7. many: %d tasks of %g-%g s, %d requests/%s limit" % (many["tasks"], durations[0], durations[1], limit, per)
    rows = []
    for variant, label in (("forks", "one host per task, forks %d" % many["forks"]), ("loop", "a loop of single waits"),
                           ("job_ids", "one job_ids task")):
        run = runs.get((variant, many["tasks"]))
        if run:
            rows.append(_row(name if not rows else "", "%s: requests / 429 / wall (s) / mean detection (s) / CPU (s)" % label,
                             "%d / %d / %s / %s / %s" % (run["requests"], run["throttled"], fmt(run["wall"]), fmt(run["mean_detect_latency"], 2),
                                                         fmt(run["cpu"], 2))))
    if big:
        rows.append(_row("", "job_ids: 429 answers", "%d" % big["throttled"], target="0", verdict=met(big["throttled"] == 0)))
        limit = many["wait_interval"] / 2.0
        rows.append(_row("", "job_ids: mean detection latency (s)", fmt(big["mean_detect_latency"], 2), "%.1f (single wait: interval/2)" % limit,
                         target="<= single wait", verdict=met(None if big["mean_detect_latency"] is None else big["mean_detect_latency"] <= limit)))
    if big and small:
        # One poll per wait_interval, plus at most one early poll just after a predicted completion: a bound
        # that does not grow with the number of tasks (one host per task sends that much per task).
        bound = 2 * 60.0 / many["wait_interval"]
        rates = (big["requests_per_minute"], small["requests_per_minute"])
        rows.append(_row("", "job_ids: requests per minute, %d vs %d tasks" % (many["tasks"], many["small"]),
                         "%s vs %s" % tuple(fmt(rate) for rate in rates), compared=ratio(rates[0] / rates[1] if rates[1] else None),
                         target="<= %g at any count (2 per wait_interval)" % bound,
                         verdict=met(None if None in rates else max(rates) <= bound)))
    if big and forks:
        rows.append(_row("", "job_ids: CPU time (s)", fmt(big["cpu"], 2), fmt(forks["cpu"], 2) + " (forks)", ratio(big["cpu"] / forks["cpu"]
                         if forks["cpu"] else None), "< forks", met(big["cpu"] < forks["cpu"])))
    return rows


def creation_rows(creations):
    """Scenario 9: the loop + one job_ids wait in the module's column, one host per instance (forks) as its baseline."""
    runs = {run["variant"]: run for run in creations["runs"]}
    forks, loop = runs.get("forks"), runs.get("loop")
    limit = creations["ratelimit"]
    name = "9. creations: %d instances of %g s, %d requests/%g s limit" % (
        creations["instances"], creations["create_seconds"], limit["limit"], limit["window"])
    rows = []
    for variant, label in (("forks", "one host per instance, forks %d, wait: true" % creations["forks"]),
                           ("loop", "a loop with wait: false, then one job_ids wait")):
        run = runs.get(variant)
        if run:
            rows.append(_row(name if not rows else "", "%s: requests / 429 / wall (s) / mean detection (s) / CPU (s)" % label,
                             "%d / %d / %s / %s / %s" % (run["requests"], run["throttled"], fmt(run["wall"]), fmt(run["mean_detect_latency"], 2),
                                                         fmt(run["cpu"], 2))))
    count = creations["instances"]
    for variant, label in (("loop", "loop + job_ids"), ("forks", "forks")):
        run = runs.get(variant)
        if run:
            rows.append(_row("", "%s: instances RUNNING / creation requests accepted (sent, 429) / instances" % label,
                             "%d / %d (%d, %d) / %d" % (run["running"], run["creates_accepted"], run["creates_sent"], run["creates_throttled"],
                                                        run["created"]), target="%d / %d / %d: no duplicate" % (count, count, count),
                             verdict=met(run["outcome_ok"])))
    if forks and loop:
        rows.append(_row("", "API requests", "%d" % loop["requests"], "%d (forks)" % forks["requests"],
                         ratio(loop["requests"] / forks["requests"] if forks["requests"] else None), "< forks",
                         met(loop["requests"] < forks["requests"])))
        # Nothing to compare when the limit throttled neither (a small --quick run may stay under it).
        rows.append(_row("", "429 answers", "%d" % loop["throttled"], "%d (forks)" % forks["throttled"],
                         ratio(loop["throttled"] / forks["throttled"] if forks["throttled"] else None), "< forks",
                         met(loop["throttled"] < forks["throttled"] if forks["throttled"] else None)))
        rows.append(_row("", "CPU time (s)", fmt(loop["cpu"], 2), fmt(forks["cpu"], 2) + " (forks)",
                         ratio(loop["cpu"] / forks["cpu"] if forks["cpu"] else None), "not judged"))
    return rows


ROWS = (("wait", wait_rows), ("progress", progress_rows), ("adhoc", adhoc_rows), ("scale", scale_rows), ("cpu", cpu_rows), ("list", list_rows),
        ("many", many_rows), ("instances", instance_rows), ("creations", creation_rows))


def table(results):
    """The markdown table printed at the end and copied into docs/performance.md."""
    rows = [HEADER, ("---",) * len(HEADER)]
    for name, make_rows in ROWS:
        if results.get(name):
            rows += make_rows(results[name])
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def machine():
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "platform": platform.platform(), "python": platform.python_version(),
            "ansible_core": importlib.metadata.version("ansible-core"), "requests": importlib.metadata.version("requests"),
            "loadavg": load}


def write(document, output):
    """Add the table to the results document, write it as JSON, and print the table; return the failures."""
    document["table"] = table(document["results"])
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
    before = document["machine"]
    sys.stdout.write("\nhuaweicloud.cloud benchmark, %s (%s CPUs, %s profile, %.0f s)\n\n%s\n\n"
                     % (before["date"], before["cpus"], document["profile"], document["seconds"], document["table"]))
    sys.stdout.write("Wall times depend on where each completion falls between polls: compare ratios, not single runs.\n")
    sys.stdout.write("Results: %s\n" % output)
    failures = document["failures"]
    if failures:
        sys.stdout.write("%d run(s) did not produce their result:\n%s\n" % (len(failures), "\n".join("- " + failure["message"] for failure in failures)))
    return failures
