"""A list's metadata read from the head of its body (``sources/head.py``), and the next page
asked for from it (``paging.py``): the token read early is the page's own or nothing, the next
page goes out before this one has been read whole, no page beyond the next is read while the
caller works on one, and the list is the same as when it is read one page after the other."""

from __future__ import annotations

import json
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from kubectl_exitwhy.sources import head, paging


def _body(meta: dict, items: list, order=("kind", "apiVersion", "metadata", "items"), **dump):
    fields = {"kind": "PodList", "apiVersion": "v1", "metadata": meta, "items": items}
    return json.dumps({k: fields[k] for k in order}, **dump).encode()


def test_the_head_of_a_list_says_its_metadata_before_its_items():
    meta = {
        "resourceVersion": "42",
        "continue": "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ",
        "remainingItemCount": 9,
    }
    body = _body(meta, [{"metadata": {"name": "p"}}] * 50)
    assert head.metadata(body) == meta
    assert head.metadata(body[: body.index(b'"items"')]) == meta  # the items need not have come
    assert head.is_more(head.metadata(body[:30]))  # ends inside the metadata: look again


def test_braces_in_a_token_and_inner_objects_do_not_end_the_metadata_early():
    meta = {"continue": 'a}b{c}"}', "inner": {"x": {"y": "}"}}, "n": [1, {"z": 2}]}
    assert head.metadata(_body(meta, [])) == meta
    spaced = _body(meta, [], indent=2)  # kubectl-style pretty JSON reads the same
    assert head.metadata(spaced) == meta


def test_a_head_that_does_not_say_it_plainly_is_not_read():
    meta = {"continue": "t"}
    assert head.metadata(_body(meta, [], order=("kind", "items", "metadata"))) is None
    assert head.metadata(b'{"kind":"PodList","extra":{"a":1},"metadata":{"continue":"t"}}') is None
    assert head.metadata(b'{"meta\\u0064ata":{"continue":"t"},"items":[]}') is None
    assert head.metadata(b'{"kind":"PodList","metadata":"t","items":[]}') is None
    assert head.metadata(b"<html><body>Sign in</body></html>") is None
    assert head.metadata(b'[{"metadata":{"continue":"t"}}]') is None
    assert head.metadata(b"{" + b" " * (head.LIMIT + 10) + b'"metadata":{}}') is None


@settings(max_examples=400, deadline=None)
@given(
    meta=st.dictionaries(
        st.text(max_size=8),
        st.one_of(st.text(max_size=20), st.integers(), st.none(), st.booleans()),
        max_size=5,
    ),
    cut=st.integers(min_value=0, max_value=400),
    indent=st.sampled_from([None, 1]),
)
def test_any_prefix_gives_the_metadata_itself_or_asks_for_more(meta, cut, indent):
    body = _body(meta, [{"a": "}"}], indent=indent)
    got = head.metadata(body[:cut])
    assert head.is_more(got) or got == meta
    assert head.metadata(body) == meta


class Pages:
    """A reader of ``n`` pages that shows each body's head to ``head`` before it answers,
    and records, per request, which requests had been answered when it was sent. ``lie``: a
    head whose continue token is not the one of the body that follows it."""

    heads = True

    def __init__(self, n: int, lie: bool = False) -> None:
        self.n, self.lie = n, lie
        self.lock = threading.Lock()
        self.sent: list[tuple[str, int]] = []  # (token, pages answered when it was asked)
        self.answered = 0
        self.list_versions: dict = {}
        self.cut_short: dict = {}
        self.asked = threading.Condition(self.lock)
        self.first_early = False  # page 2 asked for before page 1 was answered

    def timeout_parameter(self):
        return None

    def warn(self, message):
        raise AssertionError(message)

    def get(self, path, query, what, accept=None, listing=False, head=None):
        token = query.get("continue") or "0"
        with self.lock:
            self.sent.append((token, self.answered))
            self.asked.notify_all()
        if token.startswith("x"):  # a token only a lying head said
            return {"metadata": {}, "items": [{"metadata": {"uid": token}}]}
        index = int(token)
        meta = {"resourceVersion": "7"}
        if index + 1 < self.n:
            meta["continue"] = str(index + 1)
        items = [{"metadata": {"uid": f"u{index}-{i}"}} for i in range(3)]
        body = _body(meta, items)
        if head is not None:
            lie = {"continue": f"x{index}"} if self.lie and "continue" in meta else {}
            shown = dict(meta, **lie)
            assert head(_body(shown, items)) is True
        with self.lock:
            if token == "0" and not self.lie:
                self.first_early = self.asked.wait_for(
                    lambda: any(t == "1" for t, _ in self.sent), timeout=5
                )
            self.answered += 1
        return json.loads(body)


def test_the_next_page_is_asked_for_from_the_head_and_the_list_is_the_same():
    reader = Pages(6)
    got = [
        item["metadata"]["uid"]
        for page in paging.pages(reader, "/p", {}, "pods", None)
        for item in page
    ]
    assert got == [f"u{p}-{i}" for p in range(6) for i in range(3)]
    tokens = [t for t, _ in reader.sent]
    assert sorted(tokens) == [str(p) for p in range(6)]  # each page once
    assert reader.first_early  # page 2 went out from page 1's head, before page 1 was answered


def test_no_page_is_read_ahead_of_the_next_while_the_caller_works():
    reader = Pages(8)
    pages = paging.pages(reader, "/p", {}, "pods", None)
    next(pages)  # the first page is worked on; nothing more is taken for a while
    threading.Event().wait(0.3)
    asked = {t for t, _ in reader.sent}
    assert asked == {"0", "1"}, asked  # page 3 waits until page 2 is waited for
    rest = list(pages)
    assert len(rest) == 7


def test_a_token_read_early_that_the_page_does_not_say_is_never_followed():
    reader = Pages(5, lie=True)
    got = [
        item["metadata"]["uid"]
        for page in paging.pages(reader, "/p", {}, "pods", None)
        for item in page
    ]
    assert got == [f"u{p}-{i}" for p in range(5) for i in range(3)]
    assert [t for t, _ in reader.sent if not t.startswith("x")] == ["0", "1", "2", "3", "4"]


class _Response:
    """A urllib3 response whose body comes ``size`` bytes at a time."""

    def __init__(self, body: bytes, size: int, status: int = 200, encoding: str = "") -> None:
        self.status, self._body, self._size, self._encoding = status, body, size, encoding

    def getheader(self, name):
        return self._encoding if name == "Content-Encoding" else None

    def read1(self, amt, decode_content=False):
        chunk, self._body = self._body[: self._size], self._body[self._size :]
        return chunk

    def release_conn(self):
        pass


def _shown(body: bytes, size: int, status: int = 200, encoding: str = "") -> list:
    from kubectl_exitwhy.sources import wire

    seen: list = []

    def watch(prefix: bytes) -> bool:
        seen.append(head.metadata(prefix))
        return not head.is_more(seen[-1])

    wire._read(_Response(body, size, status, encoding), {"got": 0, "head": watch})
    return seen


def test_the_head_is_read_as_the_body_comes_in_pieces_gzip_or_not():
    import gzip

    meta = {"resourceVersion": "9", "continue": "next-page-token"}
    body = _body(meta, [{"metadata": {"name": f"p{i}"}} for i in range(2000)])
    for sent, encoding in ((body, ""), (gzip.compress(body, 1), "gzip")):
        seen = _shown(sent, 7, encoding=encoding)  # 7 bytes a read: the head ends mid-way
        assert seen[-1] == meta and all(head.is_more(m) for m in seen[:-1])
    assert _shown(body, 7, status=500) == []  # only a 200's body says a list's metadata


def test_a_head_that_keeps_asking_for_more_is_read_a_few_times_not_at_every_piece():
    # a valid page whose first 64 KiB are keys before its metadata, sent 16 bytes at a time:
    # read at every piece, that was ~4,000 parses of up to 64 KiB each (seconds of CPU a page)
    keys = b'"a":1,' * (head.LIMIT // 6)
    body = b'{"kind":"PodList",' + keys + b'"metadata":{"continue":"t"},"items":[]}'
    seen = _shown(body, 16)
    assert len(seen) <= 16
    assert seen[-1] is None  # not said within LIMIT: the page is read the ordinary way


def test_a_head_shown_again_by_a_retry_asks_for_the_next_page_once():
    class Twice(Pages):
        def get(self, path, query, what, accept=None, listing=False, head=None):
            if head is not None:  # the first try's head, then the retry's
                token = query.get("continue") or "0"
                if int(token) + 1 < self.n:
                    head(_body({"continue": str(int(token) + 1)}, []))
            return super().get(path, query, what, accept, listing, head)

    reader = Twice(5)
    pages = list(paging.pages(reader, "/p", {}, "pods", None))
    assert len(pages) == 5
    tokens = [t for t, _ in reader.sent]
    assert sorted(tokens) == ["0", "1", "2", "3", "4"], tokens


def test_pages_asked_for_from_a_head_that_lied_are_dropped_not_kept():
    import gc
    import weakref

    class Page(dict):
        pass

    kept: list = []

    class Liar(Pages):
        def get(self, path, query, what, accept=None, listing=False, head=None):
            page = Page(super().get(path, query, what, accept, listing, head))
            if str(query.get("continue")).startswith("x"):
                kept.append(weakref.ref(page))
            return page

    reader = Liar(8, lie=True)
    alive = []
    for _ in paging.pages(reader, "/p", {}, "pods", None):
        threading.Event().wait(0.05)  # the page asked for from the lying head comes in
        gc.collect()
        alive.append(sum(ref() is not None for ref in kept))
    assert len(kept) >= 4  # the lying heads were followed, and their pages came
    assert max(alive) <= 2, alive  # but they are let go as the list goes on
