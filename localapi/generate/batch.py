"""Jobs and CronJobs: each Job pod's Job, and the CronJob that scheduled its app's Jobs.

The cronjob controller names a Job ``fmt.Sprintf("%s-%d", cj.Name, scheduledTime.Unix()/60)``
and gives it a controller reference to the CronJob, so a Job ``<app>-<minutes since the
epoch>`` belongs to the CronJob ``<app>``; the CronJob's schedule covers the minutes its Jobs
ran at, and its status their last schedule and last success.
"""

from __future__ import annotations

from typing import Any

from .state import Cluster, Workload, owner_uid, ts

__all__ = ["make_cronjob", "make_job"]


def _pod_spec(w: Workload) -> dict[str, Any]:
    """The PodSpec of the Jobs' pod template (a Job's, and its CronJob's jobTemplate's)."""
    return {
        "containers": [
            {
                "name": w.app,
                "image": w.image,
                "command": [f"/app/{w.app}"],
                "resources": {"limits": {"memory": w.mem_limit}},
            }
        ],
        "restartPolicy": "Never",
    }


def make_job(
    c: Cluster, w: Workload, scenario: str, start: float, status_time: float
) -> dict[str, Any]:
    """The Job of a Job pod, complete or failed as its pod; noted for its CronJob."""
    failed = scenario == "job_failed"
    conditions: list[dict[str, Any]] = []
    t = ts(status_time)
    status: dict[str, Any] = {
        "startTime": ts(start - 1),
        "ready": 0,
        "terminating": 0,
        "uncountedTerminatedPods": {},
    }
    if failed:
        msg = "Job has reached the specified backoff limit"
        for ctype in ("FailureTarget", "Failed"):
            conditions.append(
                {
                    "type": ctype,
                    "status": "True",
                    "lastProbeTime": t,
                    "lastTransitionTime": t,
                    "reason": "BackoffLimitExceeded",
                    "message": msg,
                }
            )
        status["failed"] = 1
    else:
        for ctype, reason in (
            ("SuccessCriteriaMet", "CompletionsReached"),
            ("Complete", "CompletionsReached"),
        ):
            conditions.append(
                {
                    "type": ctype,
                    "status": "True",
                    "lastProbeTime": t,
                    "lastTransitionTime": t,
                    "reason": reason,
                    "message": "Reached expected number of succeeded pods",
                }
            )
        status["succeeded"] = 1
        status["completionTime"] = t
    status["conditions"] = conditions
    selector = {"batch.kubernetes.io/controller-uid": w.owner_uid}
    minutes = int(w.owner.rsplit("-", 1)[1])
    c.cron_jobs.setdefault((w.namespace, w.app), []).append((minutes, not failed, status_time, w))
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": w.owner,
            "namespace": w.namespace,
            "uid": w.owner_uid,
            "resourceVersion": c.next_rv(),
            "creationTimestamp": ts(start - 2),
            "generation": 1,
            "labels": {k: v for k, v in w.labels.items() if "job" in k or "uid" in k},
            "annotations": {"batch.kubernetes.io/job-tracking": ""},
            "ownerReferences": [
                {
                    "apiVersion": "batch/v1",
                    "kind": "CronJob",
                    "name": w.app,
                    "uid": owner_uid("cronjob", w.namespace, w.app),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "parallelism": 1,
            "completions": 1,
            "backoffLimit": 0,
            "completionMode": "NonIndexed",
            "suspend": False,
            "podReplacementPolicy": "TerminatingOrFailed",
            "manualSelector": False,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": dict(w.labels)},
                "spec": _pod_spec(w),
            },
        },
        "status": status,
    }


def make_cronjob(
    c: Cluster, ns: str, app: str, runs: list[tuple[int, bool, float, Workload]]
) -> dict[str, Any]:
    """The CronJob ``app`` in ``ns``, from its Jobs' runs: (minute, succeeded, done, workload)."""
    runs = sorted(runs, key=lambda r: r[0])
    w = runs[-1][3]
    minutes = sorted({m % 60 for m, _, _, _ in runs})
    hours = sorted({m // 60 % 24 for m, _, _, _ in runs})
    schedule = f"{','.join(map(str, minutes))} {','.join(map(str, hours))} * * *"
    status: dict[str, Any] = {"lastScheduleTime": ts(runs[-1][0] * 60)}
    succeeded = [done for _, ok, done, _ in runs if ok]
    if succeeded:
        status["lastSuccessfulTime"] = ts(max(succeeded))
    template_labels = {
        k: v for k, v in w.labels.items() if "job-name" not in k and "controller-uid" not in k
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": app,
            "namespace": ns,
            "uid": owner_uid("cronjob", ns, app),
            "resourceVersion": c.next_rv(),
            "creationTimestamp": ts(runs[0][0] * 60 - 3600),
            "generation": 1,
            "labels": template_labels,
        },
        "spec": {
            "schedule": schedule,
            "concurrencyPolicy": "Forbid",
            "suspend": False,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {
                "metadata": {"creationTimestamp": None},
                "spec": {
                    "backoffLimit": 0,
                    "template": {
                        "metadata": {
                            "creationTimestamp": None,
                            "labels": template_labels,
                        },
                        "spec": _pod_spec(w),
                    },
                },
            },
        },
        "status": status,
    }
