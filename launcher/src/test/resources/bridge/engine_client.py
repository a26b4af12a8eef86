"""What Pipelit's engine would do over the bridge, with scripts/pipelit_bridge.py: write a workflow, nodes
and execution logs with several requests in flight, follow the workflow's events, and meet the errors.
Prints one JSON summary line; any assertion failure exits non-zero."""
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, sys.argv[1])
from pipelit_bridge import Bridge, BridgeError  # noqa: E402

port, key = int(sys.argv[2]), sys.argv[3]
summary = {}
with Bridge(port=port, key=key) as bridge:
    created = bridge.request("pipelit.store.workflows.create", {"body": {"name": "Engine", "slug": "engine"}})
    assert created["slug"] == "engine", created

    events, gaps, done = [], [], threading.Event()

    def on_event(event):
        events.append(event)
        if sum(1 for e in events if e["type"] == "execution_created") == 1 and \
                sum(1 for e in events if e["type"] == "node_created") == 16:
            done.set()

    bridge.follow("pipelit.events.workflow.engine", on_event, on_gap=lambda *gap: gaps.append(gap))

    # 16 requests in flight on one connection.
    with ThreadPoolExecutor(max_workers=16) as pool:
        nodes = list(pool.map(lambda i: bridge.request("pipelit.store.nodes.create", {
            "slug": "engine", "body": {"node_id": "n%d" % i, "component_type": "code"}}), range(16)))
    assert sorted(n["node_id"] for n in nodes) == sorted("n%d" % i for i in range(16)), nodes

    execution = bridge.request("pipelit.store.executions.create", {"body": {"workflow_slug": "engine"}})
    with ThreadPoolExecutor(max_workers=16) as pool:
        logs = list(pool.map(lambda i: bridge.request("pipelit.store.executions.append_log", {
            "execution_id": execution["execution_id"],
            "body": {"node_id": "n%d" % (i % 16), "status": "completed"}}), range(64)))
    assert all(log["id"] > 0 for log in logs), logs

    assert done.wait(30), "events missing: %s" % [e["type"] for e in events]
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
    assert not gaps, gaps

    try:
        bridge.request("pipelit.store.workflows.get", {"slug": "not-there"})
        raise AssertionError("a missing workflow was found")
    except BridgeError as e:
        assert e.code == 4040 and e.kind is None, (e.code, e.kind)
    try:
        bridge.request("pipelit.store.users.cli.list", {})
        raise AssertionError("a trusted address answered")
    except BridgeError as e:
        assert e.code == 4030 and e.kind == "access_denied", (e.code, e.kind)
    summary.update(nodes=len(nodes), logs=len(logs), events=len(events), first_seq=seqs[0])

with Bridge(port=port, key="not-a-key") as stranger:
    try:
        stranger.request("pipelit.store.workflows.list", {"limit": 1})
        raise AssertionError("an unknown key was served")
    except BridgeError as e:
        assert e.code == 4010 and e.kind == "not_authenticated", (e.code, e.kind)

print(json.dumps(summary))
