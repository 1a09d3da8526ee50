# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The numbers the benchmark derives from its runs and from the emulator's request log."""

from __future__ import annotations

import statistics

# A fixed poll cadence of any interval T waits T/2 on average and sends 60/T GETs a minute.
FIXED_CADENCE_PRODUCT = 30.0


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def delta(after, before):
    return None if after is None or before is None else round(after - before, 2)


def job_gets(entries, job_id):
    """The logged GETs of one task, oldest first."""
    suffix = "/jobs/" + job_id
    return sorted((entry for entry in entries if entry["method"] == "GET" and entry["path"].endswith(suffix)), key=lambda entry: entry["epoch"])


def poll_stats(entries, job_id, end_epoch, created=None):
    """What the emulator saw of one wait: GETs, throttling, and how well the polls tracked completion.

    ``schedule_latency`` is the mean time from a completion uniformly distributed over the wait to the
    next poll, sum(gap^2) / 2 / span over the answered polls; ``detect_latency`` is the real one, from
    the task's completion to the first poll that could see it.
    """
    gets = job_gets(entries, job_id)
    answered = [entry["epoch"] for entry in gets if entry.get("status") == 200]
    stats = {"gets": len(gets), "answered": len(answered), "throttled": sum(1 for entry in gets if entry.get("status") == 429),
             "schedule_latency": None, "detect_latency": None, "gets_per_minute": None, "latency_x_rate": None,
             "first_poll_after": answered[0] - created if answered and created is not None else None,
             "poll_offsets": [round(epoch - created, 3) for epoch in answered] if created is not None else None}
    if len(answered) >= 2:
        span = answered[-1] - answered[0]
        gaps = [later - earlier for earlier, later in zip(answered, answered[1:])]
        stats["schedule_latency"] = sum(gap * gap for gap in gaps) / 2 / span if span > 0 else 0.0
    seen = [epoch for epoch in answered if epoch >= end_epoch]
    if seen and answered:
        detected = seen[0]
        stats["detect_latency"] = detected - end_epoch
        polls_until = sum(1 for epoch in answered if epoch <= detected)
        if detected > answered[0]:
            # Every wait pays its first poll; the cost of waiting is the polls after it, per minute waited.
            stats["gets_per_minute"] = 60.0 * (polls_until - 1) / (detected - answered[0])
            stats["latency_x_rate"] = stats["detect_latency"] * stats["gets_per_minute"]
    return stats


def pair_summary(runs, metrics):
    """Median of each metric per variant, and module / uri ratios."""
    summary = {}
    for metric in metrics:
        module = median(run.get(metric) for run in runs if run["variant"] == "module" and run.get("ok", True))
        uri = median(run.get(metric) for run in runs if run["variant"] == "uri" and run.get("ok", True))
        summary[metric] = {"module": module, "uri": uri, "ratio": module / uri if module is not None and uri else None}
    return summary


def pair_ratios(runs, metric):
    """Per interleaved pair (a module run and a uri run, in either order), module / uri: the ratios, their median and quartiles.

    The spread says how far one median ratio can be trusted on a shared machine.
    """
    ratios = []
    for first, second in zip(runs[::2], runs[1::2]):
        pair = {run["variant"]: run for run in (first, second) if run.get("ok", True)}
        module, uri = pair.get("module", {}).get(metric), pair.get("uri", {}).get(metric)
        if module is not None and uri:
            ratios.append(module / uri)
    quartiles = statistics.quantiles(ratios, n=4) if len(ratios) >= 2 else [None, median(ratios), None]
    return {"ratios": ratios, "median": median(ratios), "q1": quartiles[0], "q3": quartiles[2]}


def growth(runs, kind, size_key="tasks"):
    """Growth between the two largest sizes (``run[size_key]``), after subtracting the empty list's run (the fixed costs)."""
    by_size = {run[size_key]: run[kind] for run in runs if run[kind]["ok"]}
    sizes = sorted(by_size)
    if len(sizes) < 3 or sizes[0] != 0:
        return None
    base, small, large = by_size[0], by_size[sizes[-2]], by_size[sizes[-1]]
    result = {"from": sizes[-2], "to": sizes[-1], "size_ratio": sizes[-1] / sizes[-2]}
    for metric in ("wall", "cpu", "maxrss_mb"):
        small_extra, large_extra = small[metric] - base[metric], large[metric] - base[metric]
        result[metric] = {"extra_small": round(small_extra, 3), "extra_large": round(large_extra, 3),
                          "ratio": large_extra / small_extra if small_extra > 0 and large_extra > 0 else None}
    return result
