// Follows a thread's events and recolours its plan graph's nodes as subtasks start and finish.
(function () {
  "use strict";
  var graph = document.getElementById("plan-graph");
  if (!graph || !window.EventSource) { return; }
  var status = document.getElementById("thread-status");
  function mark(subtask, state) {
    var node = document.getElementById("node-" + subtask);
    if (!node || !state) { return; }
    node.setAttribute("class", "node status-" + state);
    var label = node.querySelector(".node-status");
    if (label) { label.textContent = state; }
  }
  function on(name, fn) {
    source.addEventListener(name, function (e) {
      try { fn(JSON.parse(e.data)); } catch (err) { /* a malformed event changes nothing */ }
    });
  }
  var source = new EventSource(graph.getAttribute("data-events"));
  on("subtask_started", function (d) { mark(d.subtask_id, d.escalate ? "awaiting_review" : "running"); });
  on("interrupt", function (d) { mark(d.subtask_id, "awaiting_review"); });
  on("decision", function (d) { mark(d.subtask_id, "running"); });
  on("subtask_finished", function (d) { mark(d.subtask_id, d.status); });
  on("final_answer", function (d) {
    Object.keys(d.statuses || {}).forEach(function (sid) { mark(sid, d.statuses[sid]); });
  });
  on("end", function (d) {
    if (status) { status.textContent = d.status; status.setAttribute("class", "status-" + d.status); }
    source.close();
  });
  // On "timeout" the server ends the stream and the browser reconnects with Last-Event-ID.
})();
