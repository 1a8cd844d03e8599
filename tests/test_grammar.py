"""kubectl's flag grammar (pflag) and the words after the plugin's name, without a cluster.
tests/test_speak_kubectl.py checks the same forms against what the real kubectl accepts."""

from __future__ import annotations

import pytest

from kubectl_exitwhy import grammar, targets
from kubectl_exitwhy.errors import UsageError


@pytest.mark.parametrize(
    "argv,values,words",
    [
        (["-n", "prod"], {"namespace": "prod"}, []),
        (["-n=prod"], {"namespace": "prod"}, []),
        (["-nprod"], {"namespace": "prod"}, []),
        (["--namespace=prod"], {"namespace": "prod"}, []),
        (["--namespace", "prod"], {"namespace": "prod"}, []),
        (["--namespace="], {"namespace": ""}, []),
        (["-o=json"], {"output": "json"}, []),
        (["-ojson"], {"output": "json"}, []),
        (["-A"], {"all-namespaces": True}, []),
        (["--all-namespaces=false"], {"all-namespaces": False}, []),
        (["--all-namespaces=1"], {"all-namespaces": True}, []),
        (["-A=F"], {"all-namespaces": False}, []),
        (["-Ao", "wide"], {"all-namespaces": True, "output": "wide"}, []),
        (["-Aowide"], {"all-namespaces": True, "output": "wide"}, []),
        (["-An", "prod"], {"all-namespaces": True, "namespace": "prod"}, []),
        (["-Aw"], {"all-namespaces": True, "watch": True}, []),
        (["-n", "prod", "code", "137"], {"namespace": "prod"}, ["code", "137"]),
        (["code", "-1"], {}, ["code", "-1"]),
        (["code", "-3.5", "-ojson"], {"output": "json"}, ["code", "-3.5"]),
        (["pod", "--", "-n"], {}, ["pod", "-n"]),
        (["-", "-l", "a in (x,y)"], {"selector": "a in (x,y)"}, ["-"]),
        (["--all-namespaces", "false"], {"all-namespaces": True}, ["false"]),  # as pflag
        (["-l", "a=1", "-l", "b=2"], {"selector": "b=2"}, []),  # the last wins
        (["--as-group", "a", "--as-group=b"], {"as-group": ["a", "b"]}, []),
        (["-v6"], {"v": 6}, []),
        (["--v=8"], {"v": 8}, []),
        (["-s", "https://k:6443"], {"server": "https://k:6443"}, []),
        (["--insecure-skip-tls-verify"], {"insecure-skip-tls-verify": True}, []),
    ],
)
def test_pflag_forms(argv, values, words):
    parsed = grammar.parse(argv)
    assert parsed.values == values
    assert parsed.words == words


@pytest.mark.parametrize(
    "argv,message",
    [
        (["-n"], "flag needs an argument: 'n' in -n"),
        (["-An"], "flag needs an argument: 'n' in -An"),
        (["--namespace"], "flag needs an argument: --namespace"),
        (["-x"], "unknown shorthand flag: 'x' in -x"),
        (["-Ax"], "unknown shorthand flag: 'x' in -Ax"),
        (["--bogus"], "unknown flag: --bogus"),
        (["--namspace", "x"], "did you mean --namespace?"),
        (["---n"], "bad flag syntax"),
        (["-A=maybe"], 'invalid argument "maybe" for "-A, --all-namespaces" flag'),
        (["--logs=many"], 'invalid argument "many" for "--logs" flag'),
        (["-o", "jsn"], "did you mean json?"),
        (["--by=node"], "use workload or pod"),
    ],
)
def test_pflag_refusals(argv, message):
    with pytest.raises(UsageError) as err:
        grammar.parse(argv)
    assert message in err.value.message


@pytest.mark.parametrize(
    "argv,message",
    [
        (["-l", "a=(b"], "cannot parse label selector"),
        (["-l", "=x"], "cannot parse label selector"),
        (["-l", "tier>x"], "for '>' and '<' the value must be an integer"),
        (["-l", "tier<1.5"], "for '>' and '<' the value must be an integer"),
        (["-l", "tier>-5"], "for '>' and '<' the value must be an integer"),  # not a label value
        (["-n", ".."], "invalid namespace '..': may not be '..'"),
        (["-n", "a%2f"], "invalid namespace 'a%2f': may not contain '%'"),
        (["--as-group", "g"], "only with --as"),
        (["--certificate-authority=ca", "--insecure-skip-tls-verify"], "cannot be given together"),
    ],
)
def test_checked_on_the_client(argv, message):
    with pytest.raises(UsageError) as err:
        grammar.check(grammar.parse(argv))
    assert message in err.value.message


@pytest.mark.parametrize(
    "text,labels,matches",
    [
        ("tier>3", {"tier": "4"}, True),
        ("tier>3", {"tier": "3"}, False),
        ("tier<3", {"tier": "2"}, True),
        ("tier<3", {"tier": "-7"}, False),  # not a label value Kubernetes would hold
        ("tier<3", {"tier": "two"}, False),  # not an integer: no match, as apimachinery
        ("tier>3", {}, False),  # without the label: no match
        ("tier>3,app=web", {"tier": "9", "app": "web"}, True),
        ("tier>3,app=web", {"tier": "9", "app": "db"}, False),
    ],
)
def test_greater_and_less_than_selectors(text, labels, matches):
    """kubectl takes ``-l 'tier>3'`` (apimachinery's GreaterThan): a saved file is filtered the
    same way the API server filters a cluster."""
    from kubectl_exitwhy.selector import parse

    assert parse(text).matches(labels) is matches


def test_flags_for_click_and_for_the_connection():
    parsed = grammar.parse(["-An=prod", "--as=bob", "--as-group=a", "-v6", "--namespace="])
    assert grammar.command_args(parsed) == ["--all-namespaces"]
    assert grammar.connection(parsed) == {"as": "bob", "as_group": ["a"], "v": 6}
    parsed = grammar.parse(["-nprod", "--all-namespaces=false", "-l", "a=b"])
    assert grammar.command_args(parsed) == ["--namespace=prod", "--selector=a=b"]


@pytest.mark.parametrize(
    "words,route",
    [
        ([], ("sweep", [])),
        (["pod", "x"], ("pod", ["x"])),
        (["po/x"], ("pod", ["x"])),
        (["pods/x"], ("pod", ["x"])),
        (["deployment/x"], ("sweep", ["Deployment/x"])),
        (["deploy", "x"], ("sweep", ["Deployment/x"])),
        (["deployments.apps/x"], ("sweep", ["Deployment/x"])),
        (["sts/x"], ("sweep", ["StatefulSet/x"])),
        (["statefulset", "x"], ("sweep", ["StatefulSet/x"])),
        (["ds/x"], ("sweep", ["DaemonSet/x"])),
        (["daemonset/x"], ("sweep", ["DaemonSet/x"])),
        (["job/x"], ("sweep", ["Job/x"])),
        (["jobs.batch/x"], ("sweep", ["Job/x"])),
        (["cj/x"], ("sweep", ["CronJob/x"])),
        (["cronjob/x"], ("sweep", ["CronJob/x"])),
        (["rs/x"], ("sweep", ["ReplicaSet/x"])),
        (["node/n1"], ("sweep", ["Node/n1"])),
        (["no", "n1"], ("sweep", ["Node/n1"])),
        (["code", "137"], ("code", ["137"])),
    ],
)
def test_targets(words, route):
    assert targets.route(words) == route


@pytest.mark.parametrize(
    "words,message",
    [
        (["pod"], "pod needs a name"),
        (["deploy/"], "names no deployment"),
        (["pod", "a", "b"], "one pod at a time"),
        (["deploymnt/x"], "did you mean 'kubectl exitwhy deployment/x'?"),
        (["podd", "x"], "did you mean 'kubectl exitwhy pod x'?"),
        (["137"], "did you mean 'kubectl exitwhy code 137'?"),
        (["deployments.batch/x"], "unknown resource type"),
        (["frobnicate"], "a pod is 'kubectl exitwhy pod frobnicate'"),
    ],
)
def test_target_refusals(words, message):
    with pytest.raises(UsageError) as err:
        targets.route(words)
    assert message in err.value.message


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--na"], ["--namespace"]),
        (["--output=y"], ["--output=yaml"]),
        (["--by", ""], ["workload", "pod"]),
        (["--fail-on", "c"], ["critical"]),
        (["code", "13"], ["130", "134", "137", "139"]),
        (["completion", ""], ["bash", "zsh", "fish"]),
        (["dep"], ["deployment"]),
        (["-f", ""], []),
    ],
)
def test_completion_offline(args, expected):
    from kubectl_exitwhy.completion import complete

    candidates, directive = complete(args)
    assert candidates == expected
    assert directive == (0 if args[0] == "-f" else 4)  # -f FILE: the shell completes files


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["-f", "a.json", "-f", "b.json"], "-f is given twice"),
        (["pod/x/y"], "may not contain '/'"),
        (["pod", "x/y"], "may not contain '/'"),
    ],
)
def test_what_kubectl_refuses_or_reads_otherwise_is_a_usage_error(exitwhy, argv, needle):
    run = exitwhy(*argv)
    assert run.status == 2 and needle in run.err, run.err


def test_output_format_case_is_kubectls(exitwhy):
    run = exitwhy("-f", "examples/memory-settings.json", "-A", "-o", "JSON")
    assert run.status == 0 and run.json()["kind"] == "DiagnosisList"


@pytest.mark.parametrize("words", [["node/.."], ["pod", "."], ["deploy/a%2Fb"]])
def test_names_that_cannot_be_a_path_segment_are_refused(words):
    """As client-go's request builder refuses them before anything is sent."""
    with pytest.raises(UsageError) as err:
        targets.route(words)
    assert err.value.message.startswith("invalid resource name")


def test_a_request_timeout_past_what_go_can_hold_is_a_usage_error():
    from kubectl_exitwhy.present import timeout

    assert timeout("8760h") == 8760 * 3600
    with pytest.raises(UsageError) as err:
        timeout("99999999999h")
    assert "is not a duration" in err.value.message
