"""The pods' templates: a Pod of each kind of workload as the API server returns it.

The shapes follow what the API server returns for pods made by a Deployment's ReplicaSet, a Job
or a DaemonSet: the service-account token volume and mount added by admission, the default
tolerations, and ``managedFields`` entries for kube-controller-manager (spec and metadata) and the
kubelet (the ``status`` subresource), with FieldsV1 sets derived from the spec itself.
"""

from __future__ import annotations

from typing import Any

from ..entry import encode
from .containers import main_container, sidecar_container, user_volumes
from .template import Template

__all__ = ["CONDITION_TYPES", "pod_template"]

CONDITION_TYPES = (
    "PodReadyToStartContainers",
    "Initialized",
    "Ready",
    "ContainersReady",
    "PodScheduled",
)


def _k(**fields: Any) -> str:
    """A FieldsV1 list-item key, as the API server writes it: ``k:{"name":"app"}``."""
    return "k:" + encode(fields).decode()


def _fields_v1_container(c: dict[str, Any]) -> dict[str, Any]:
    """The ``k:{"name":...}`` subtree kube-controller-manager owns for one container."""
    f: dict[str, Any] = {".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}}
    if c.get("args"):
        f["f:args"] = {}
    if c.get("command"):
        f["f:command"] = {}
    if c.get("env"):
        f["f:env"] = {".": {}}
        for e in c["env"]:
            sub: dict[str, Any] = {".": {}, "f:name": {}}
            if "value" in e:
                sub["f:value"] = {}
            else:
                src = next(iter(e["valueFrom"]))
                sub["f:valueFrom"] = {".": {}, f"f:{src}": {}}
            f["f:env"][_k(name=e["name"])] = sub
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if probe in c:
            p = c[probe]
            sub = {
                ".": {},
                "f:failureThreshold": {},
                "f:periodSeconds": {},
                "f:successThreshold": {},
                "f:timeoutSeconds": {},
            }
            for key in ("httpGet", "tcpSocket", "exec"):
                if key in p:
                    sub[f"f:{key}"] = {".": {}, **{f"f:{k}": {} for k in p[key]}}
            if "initialDelaySeconds" in p:
                sub["f:initialDelaySeconds"] = {}
            f[f"f:{probe}"] = sub
    if c.get("ports"):
        f["f:ports"] = {".": {}}
        for p in c["ports"]:
            f["f:ports"][_k(containerPort=p["containerPort"], protocol="TCP")] = {
                ".": {},
                "f:containerPort": {},
                "f:name": {},
                "f:protocol": {},
            }
    f["f:resources"] = {
        ".": {},
        "f:limits": {".": {}, "f:cpu": {}, "f:memory": {}},
        "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}},
    }
    f["f:terminationMessagePath"] = {}
    f["f:terminationMessagePolicy"] = {}
    if c.get("volumeMounts"):
        f["f:volumeMounts"] = {".": {}}
        for vm in c["volumeMounts"]:
            if vm["name"].startswith("kube-api-access"):
                continue  # added by the ServiceAccount admission plugin, not the controller
            f["f:volumeMounts"][_k(mountPath=vm["mountPath"])] = {
                ".": {},
                "f:mountPath": {},
                "f:name": {},
                **({"f:readOnly": {}} if vm.get("readOnly") else {}),
            }
    return f


def pod_template(arch: str) -> Template:
    containers = [main_container(arch)]
    if arch == "sidecar":
        containers.append(sidecar_container())
    volumes = user_volumes(arch)
    volumes.append(
        {
            "name": "kube-api-access-@@tok@@",
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {
                        "configMap": {
                            "items": [{"key": "ca.crt", "path": "ca.crt"}],
                            "name": "kube-root-ca.crt",
                        }
                    },
                    {
                        "downwardAPI": {
                            "items": [
                                {
                                    "fieldRef": {
                                        "apiVersion": "v1",
                                        "fieldPath": "metadata.namespace",
                                    },
                                    "path": "namespace",
                                }
                            ]
                        }
                    },
                ],
            },
        }
    )
    tolerations = [
        {
            "effect": "NoExecute",
            "key": "node.kubernetes.io/not-ready",
            "operator": "Exists",
            "tolerationSeconds": 300,
        },
        {
            "effect": "NoExecute",
            "key": "node.kubernetes.io/unreachable",
            "operator": "Exists",
            "tolerationSeconds": 300,
        },
    ]
    if arch == "daemon":
        tolerations = [{"operator": "Exists"}]
    spec: dict[str, Any] = {
        "containers": containers,
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "nodeName": "@@node@@",
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Never" if arch == "job" else "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"fsGroup": 2000, "runAsNonRoot": True, "runAsUser": 1000},
        "serviceAccount": "@@sa@@",
        "serviceAccountName": "@@sa@@",
        "terminationGracePeriodSeconds": 30,
        "tolerations": tolerations,
        "volumes": volumes,
    }
    if arch == "daemon":
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchFields": [
                                {"key": "metadata.name", "operator": "In", "values": ["@@node@@"]}
                            ]
                        }
                    ]
                }
            }
        }
    spec_fields: dict[str, Any] = {
        "f:containers": {_k(name=c["name"]): _fields_v1_container(c) for c in containers},
        "f:dnsPolicy": {},
        "f:enableServiceLinks": {},
        "f:restartPolicy": {},
        "f:schedulerName": {},
        "f:securityContext": {".": {}, "f:fsGroup": {}, "f:runAsNonRoot": {}, "f:runAsUser": {}},
        "f:serviceAccount": {},
        "f:serviceAccountName": {},
        "f:terminationGracePeriodSeconds": {},
        "f:volumes": {
            ".": {},
            **{
                _k(name=v["name"]): {".": {}, "f:name": {}} for v in volumes if "projected" not in v
            },
        },
    }
    condition_fields: dict[str, Any] = {
        _k(type=t): {
            ".": {},
            "f:lastProbeTime": {},
            "f:lastTransitionTime": {},
            "f:status": {},
            "f:type": {},
        }
        for t in CONDITION_TYPES
        if t != "PodScheduled"
    }
    metadata = {
        "name": "@@name@@",
        "generateName": "@@genName@@",
        "namespace": "@@ns@@",
        "uid": "@@uid@@",
        "resourceVersion": "@@rv@@",
        "creationTimestamp": "@@created@@",
        "labels": "@@#labels@@",
        "annotations": "@@#annotations@@",
        "ownerReferences": [
            {
                "apiVersion": "@@ownerApi@@",
                "kind": "@@ownerKind@@",
                "name": "@@owner@@",
                "uid": "@@ownerUid@@",
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ],
        "managedFields": [
            {
                "manager": "kube-controller-manager",
                "operation": "Update",
                "apiVersion": "v1",
                "time": "@@created@@",
                "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:metadata": {
                        "f:annotations": "@@#mfAnnotations@@",
                        "f:generateName": {},
                        "f:labels": "@@#mfLabels@@",
                        "f:ownerReferences": {".": {}, 'k:{"uid":"@@ownerUid@@"}': {}},
                    },
                    "f:spec": spec_fields,
                },
            },
            {
                "manager": "kubelet",
                "operation": "Update",
                "apiVersion": "v1",
                "time": "@@statusTime@@",
                "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:status": {
                        "f:conditions": condition_fields,
                        "f:containerStatuses": {},
                        "f:hostIP": {},
                        "f:hostIPs": {},
                        "f:phase": {},
                        "f:podIP": {},
                        "f:podIPs": {".": {}, 'k:{"ip":"@@podIP@@"}': {".": {}, "f:ip": {}}},
                        "f:startTime": {},
                    }
                },
                "subresource": "status",
            },
        ],
    }
    return Template({"metadata": metadata, "spec": spec, "status": "@@#status@@"})
