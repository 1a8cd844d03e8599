"""Discovery documents: what ``/api``, ``/api/v1``, ``/apis``, ``/apis/apps/v1`` and
``/apis/batch/v1`` return.

kubectl (client-go) first asks ``/api`` and ``/apis`` for the *aggregated* discovery document
(``Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList``). This server
answers that form too (content type ``...;as=APIGroupDiscoveryList``), which saves kubectl two
round trips; a client that asks for plain JSON gets the legacy ``APIVersions`` /
``APIGroupList`` and then per-group-version ``APIResourceList`` documents. Every resource is
read-only: verbs get, list, watch (``pods/log``: get). Within a group version the resources are
listed in name order, as the API installer registers them (it sorts the storage paths first).
"""

from __future__ import annotations

from typing import Any

from .entry import encode
from .resources import RESOURCES, ResourceType

__all__ = ["AGGREGATED_CONTENT_TYPE", "Discovery", "VERSION_INFO"]

AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
VERBS = ["get", "list", "watch"]

VERSION_INFO = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0-localapi",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2024-12-11T00:00:00Z",
    "goVersion": "go1.23.3",
    "compiler": "gc",
    "platform": "linux/amd64",
}


def _legacy_resource(rt: ResourceType) -> list[dict[str, Any]]:
    doc: dict[str, Any] = {
        "name": rt.name,
        "singularName": rt.singular,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": VERBS,
    }
    if rt.short_names:
        doc["shortNames"] = list(rt.short_names)
    if rt.categories:
        doc["categories"] = list(rt.categories)
    docs = [doc]
    if rt.name == "pods":
        docs.append(
            {
                "name": "pods/log",
                "singularName": "",
                "namespaced": True,
                "kind": "Pod",
                "verbs": ["get"],
            }
        )
    return docs


def _aggregated_resource(rt: ResourceType) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "resource": rt.name,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": VERBS,
    }
    if rt.short_names:
        doc["shortNames"] = list(rt.short_names)
    if rt.categories:
        doc["categories"] = list(rt.categories)
    if rt.name == "pods":
        doc["subresources"] = [
            {
                "subresource": "log",
                "responseKind": {"group": "", "version": "v1", "kind": "Pod"},
                "verbs": ["get"],
            }
        ]
    return doc


class Discovery:
    """Pre-encoded discovery answers for a server reachable at ``address`` (host:port)."""

    def __init__(self, address: str) -> None:
        groups: dict[str, list[ResourceType]] = {}
        for rt in sorted(RESOURCES.values(), key=lambda r: r.name):
            groups.setdefault(rt.group, []).append(rt)
        self.version = encode(VERSION_INFO)
        self.api = encode(
            {
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0", "serverAddress": address}
                ],
            }
        )
        named = sorted(g for g in groups if g)
        self.group_docs: dict[str, bytes] = {}
        group_list = []
        for g in named:
            gv = {"groupVersion": f"{g}/v1", "version": "v1"}
            group = {"name": g, "versions": [gv], "preferredVersion": gv}
            group_list.append(group)
            self.group_docs[g] = encode({"kind": "APIGroup", "apiVersion": "v1", **group})
        self.apis = encode({"kind": "APIGroupList", "apiVersion": "v1", "groups": group_list})
        self.resource_lists: dict[str, bytes] = {}
        for g, rts in groups.items():
            gv_name = f"{g}/v1" if g else "v1"
            self.resource_lists[gv_name] = encode(
                {
                    "kind": "APIResourceList",
                    "apiVersion": "v1",
                    "groupVersion": gv_name,
                    "resources": [d for rt in rts for d in _legacy_resource(rt)],
                }
            )

        def aggregated(gs: list[str]) -> bytes:
            items = [
                {
                    "metadata": {"name": g} if g else {"creationTimestamp": None},
                    "versions": [
                        {
                            "version": "v1",
                            "resources": [_aggregated_resource(rt) for rt in groups[g]],
                            "freshness": "Current",
                        }
                    ],
                }
                for g in gs
            ]
            return encode(
                {
                    "kind": "APIGroupDiscoveryList",
                    "apiVersion": "apidiscovery.k8s.io/v2",
                    "metadata": {},
                    "items": items,
                }
            )

        self.api_aggregated = aggregated([""])
        self.apis_aggregated = aggregated(named)


def wants_aggregated(accept: str) -> bool:
    """True if the Accept header lists aggregated discovery v2 (kubectl >= 1.30 does)."""
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")[1:]}
        if {"g=apidiscovery.k8s.io", "v=v2", "as=APIGroupDiscoveryList"} <= params:
            return True
    return False
