#!/usr/bin/env python3
"""Scripted loopback model server used ONLY to record agent transcript fixtures.

Speaks just enough of four wire protocols for the pinned agent CLIs to run a
scripted conversation against 127.0.0.1:
  * OpenAI Chat Completions  POST .../chat/completions   (stream and non-stream)
  * OpenAI Responses         POST .../responses          (stream and non-stream)
  * Anthropic Messages       POST .../messages           (stream and non-stream)
  * Gemini generateContent   POST .../models/M:streamGenerateContent | :generateContent
                             | :countTokens
  * GET .../models           a one-model list in the shape the caller expects

A scenario script (JSON) drives the "main" requests, i.e. the ones that offer
tools to the model. A request that an `aux` rule matches (first substring match
on the raw body; used for an agent's own side calls such as Qwen Code's memory
extractor, which also offers tools) or that offers no tools (title generation,
summaries) is an "aux" request: it gets the rule's text or `aux_default` and
never consumes a step.

Script shape:
  {"steps": [ {"text": "..."}
            | {"tool_calls": [{"name": "bash", "args": {...}}], "text": "optional preamble"}
            | {"error": {"status": 400, "message": "...", "repeat": 1}} ],
   "aux": [{"match": "substring", "text": "reply"}],
   "aux_default": "OK",
   "model": "scripted-model"}
When the steps run out, main requests get {"text": "(script exhausted)"}.

Usage numbers are deterministic per main request n (0-based):
  input = 1000 + 100*n (cache reads included, as OpenAI/Gemini count them),
  cached = 0 for n == 0 else 200, output = 20 + n.
Anthropic reports input_tokens WITHOUT the cached part (that is its wire
semantics); cache_read_input_tokens carries the cached part.

Every request and the reply summary are appended to --log (JSONL), so the
recording script can check what each CLI really sent. This is a throwaway
recording aid; it is not part of skillpipe's test suite.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Script:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.data = json.load(f)
        self.steps = list(self.data.get("steps", []))
        self.aux = self.data.get("aux", [])
        self.aux_default = self.data.get("aux_default", "OK")
        self.model = self.data.get("model", "scripted-model")
        self.lock = threading.Lock()
        self.main_count = 0
        self.error_left = {}

    def next_main(self):
        with self.lock:
            n = self.main_count
            self.main_count += 1
            while self.steps:
                step = self.steps[0]
                if "error" in step:
                    left = self.error_left.get(id(step), step["error"].get("repeat", 1))
                    left -= 1
                    if left <= 0:
                        self.steps.pop(0)
                    else:
                        self.error_left[id(step)] = left
                    return n, step
                return n, self.steps.pop(0)
            return n, {"text": "(script exhausted)"}

    def side_reply(self, raw):
        """Reply for a request an `aux` rule matches (with or without tools), else None."""
        for rule in self.aux:
            if rule.get("match", "") in raw:
                return rule.get("text", self.aux_default)
        return None


def usage_for(n):
    return {"input": 1000 + 100 * n, "cached": 0 if n == 0 else 200, "output": 20 + n}


def has_tools(body):
    if not isinstance(body, dict):
        return False
    tools = body.get("tools")
    if isinstance(tools, list) and tools:
        if body.get("tool_choice") == "none":
            return False
        # Gemini: tools = [{"functionDeclarations": [...]}]
        for t in tools:
            if isinstance(t, dict) and t.get("functionDeclarations") == []:
                continue
            return True
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "scripted-recorder/1"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    # ---- plumbing -------------------------------------------------------
    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raw = self._read_chunked()
        text = raw.decode("utf-8", "replace")
        try:
            return text, json.loads(text) if text else {}
        except ValueError:
            return text, {}

    def _read_chunked(self):
        out = b""
        while True:
            size = int(self.rfile.readline().strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return out
            out += self.rfile.read(size)
            self.rfile.readline()

    def _log(self, entry):
        entry["t"] = time.time()
        with self.server.log_lock:
            with open(self.server.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    def _json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _sse_start(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, text):
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _sse_end(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _event(self, name, obj):
        prefix = "event: %s\n" % name if name else ""
        self._chunk(prefix + "data: " + json.dumps(obj) + "\n\n")

    # ---- routing --------------------------------------------------------
    def do_GET(self):
        path = self.path.split("?")[0]
        self._log({"method": "GET", "path": self.path})
        model = self.server.script.model
        if path.endswith("/models"):
            if "/v1beta/" in path or "/v1alpha/" in path:
                return self._json(200, {"models": [{"name": "models/" + model,
                                                    "supportedGenerationMethods": ["generateContent"]}]})
            return self._json(200, {"object": "list", "data": [
                {"id": model, "object": "model", "created": 0, "owned_by": "scripted",
                 "type": "model", "display_name": model}]})
        return self._json(404, {"error": {"message": "not found: " + path}})

    def do_POST(self):
        raw, body = self._body()
        path = self.path.split("?")[0]
        if ":countTokens" in path:
            self._log({"method": "POST", "path": self.path, "kind": "count", "body": body})
            return self._json(200, {"totalTokens": 1000})
        if path.endswith("/count_tokens"):
            self._log({"method": "POST", "path": self.path, "kind": "count", "body": body})
            return self._json(200, {"input_tokens": 1000})
        script = self.server.script
        side = script.side_reply(raw)
        main = side is None and has_tools(body)
        if main:
            n, step = script.next_main()
        else:
            n, step = -1, {"text": side if side is not None else script.aux_default}
        entry = {"method": "POST", "path": self.path, "kind": "main" if main else "aux",
                 "n": n, "step": step, "body": body,
                 "headers": {k: v for k, v in self.headers.items()
                             if k.lower() not in ("authorization", "x-api-key", "x-goog-api-key")}}
        self._log(entry)
        if "error" in step:
            return self._error(path, step["error"])
        u = usage_for(max(n, 0))
        if path.endswith("/chat/completions"):
            return self._openai_chat(body, step, u, n)
        if path.endswith("/responses"):
            return self._openai_responses(body, step, u, n)
        if path.endswith("/messages"):
            return self._anthropic(body, step, u, n)
        if ":streamGenerateContent" in path or ":generateContent" in path:
            return self._gemini(path, step, u, n)
        return self._json(404, {"error": {"message": "unsupported path " + path}})

    def _error(self, path, err):
        status = err.get("status", 400)
        msg = err.get("message", "scripted error")
        if ":" in path and "/models/" in path:
            obj = {"error": {"code": status, "message": msg, "status": err.get("gstatus", "INVALID_ARGUMENT")}}
        elif path.endswith("/messages"):
            obj = {"type": "error", "error": {"type": err.get("type", "invalid_request_error"), "message": msg}}
        else:
            obj = {"error": {"message": msg, "type": err.get("type", "invalid_request_error"),
                             "code": err.get("code")}}
        return self._json(status, obj)

    # ---- OpenAI Chat Completions ----------------------------------------
    def _openai_chat(self, body, step, u, n):
        model = body.get("model") or self.server.script.model
        cid = "chatcmpl-scripted-%d" % max(n, 0)
        usage = {"prompt_tokens": u["input"], "completion_tokens": u["output"],
                 "total_tokens": u["input"] + u["output"],
                 "prompt_tokens_details": {"cached_tokens": u["cached"]}}
        calls = step.get("tool_calls", [])
        text = step.get("text", "")
        finish = "tool_calls" if calls else "stop"
        if not body.get("stream"):
            msg = {"role": "assistant", "content": text or None}
            if calls:
                msg["tool_calls"] = [{"id": "call_%d_%d" % (max(n, 0), i), "type": "function",
                                      "function": {"name": c["name"], "arguments": json.dumps(c["args"])}}
                                     for i, c in enumerate(calls)]
            return self._json(200, {"id": cid, "object": "chat.completion", "created": int(time.time()),
                                    "model": model, "choices": [{"index": 0, "message": msg,
                                                                 "finish_reason": finish}],
                                    "usage": usage})
        self._sse_start()
        base = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": model}

        def chunk(delta, fin=None):
            self._event(None, dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": fin}]))
        chunk({"role": "assistant", "content": ""})
        if text:
            for piece in _split(text):
                chunk({"content": piece})
        for i, c in enumerate(calls):
            args = json.dumps(c["args"])
            chunk({"tool_calls": [{"index": i, "id": "call_%d_%d" % (max(n, 0), i), "type": "function",
                                   "function": {"name": c["name"], "arguments": ""}}]})
            chunk({"tool_calls": [{"index": i, "function": {"arguments": args}}]})
        chunk({}, finish)
        if (body.get("stream_options") or {}).get("include_usage", True):
            self._event(None, dict(base, choices=[], usage=usage))
        self._chunk("data: [DONE]\n\n")
        self._sse_end()

    # ---- OpenAI Responses -----------------------------------------------
    def _openai_responses(self, body, step, u, n):
        model = body.get("model") or self.server.script.model
        rid = "resp_scripted_%d" % max(n, 0)
        usage = {"input_tokens": u["input"], "input_tokens_details": {"cached_tokens": u["cached"]},
                 "output_tokens": u["output"], "output_tokens_details": {"reasoning_tokens": 0},
                 "total_tokens": u["input"] + u["output"]}
        items = []
        if step.get("text"):
            items.append({"type": "message", "id": "msg_%d" % max(n, 0), "role": "assistant",
                          "status": "completed",
                          "content": [{"type": "output_text", "text": step["text"], "annotations": []}]})
        for i, c in enumerate(step.get("tool_calls", [])):
            items.append({"type": "function_call", "id": "fc_%d_%d" % (max(n, 0), i),
                          "call_id": "call_%d_%d" % (max(n, 0), i), "name": c["name"],
                          "arguments": json.dumps(c["args"]), "status": "completed"})
        resp = {"id": rid, "object": "response", "created_at": int(time.time()), "model": model,
                "status": "completed", "output": items, "usage": usage}
        if not body.get("stream"):
            return self._json(200, resp)
        self._sse_start()
        seq = [0]

        def ev(name, obj):
            obj = dict(obj, type=name, sequence_number=seq[0])
            seq[0] += 1
            self._event(name, obj)
        ev("response.created", {"response": dict(resp, status="in_progress", output=[], usage=None)})
        for idx, it in enumerate(items):
            if it["type"] == "message":
                ev("response.output_item.added", {"output_index": idx,
                                                  "item": dict(it, status="in_progress", content=[])})
                ev("response.content_part.added", {"output_index": idx, "item_id": it["id"], "content_index": 0,
                                                   "part": {"type": "output_text", "text": "", "annotations": []}})
                for piece in _split(it["content"][0]["text"]):
                    ev("response.output_text.delta", {"output_index": idx, "item_id": it["id"],
                                                      "content_index": 0, "delta": piece})
                ev("response.output_text.done", {"output_index": idx, "item_id": it["id"], "content_index": 0,
                                                 "text": it["content"][0]["text"]})
                ev("response.content_part.done", {"output_index": idx, "item_id": it["id"], "content_index": 0,
                                                  "part": it["content"][0]})
            else:
                ev("response.output_item.added", {"output_index": idx,
                                                  "item": dict(it, status="in_progress", arguments="")})
                ev("response.function_call_arguments.delta", {"output_index": idx, "item_id": it["id"],
                                                              "delta": it["arguments"]})
                ev("response.function_call_arguments.done", {"output_index": idx, "item_id": it["id"],
                                                             "arguments": it["arguments"]})
            ev("response.output_item.done", {"output_index": idx, "item": it})
        ev("response.completed", {"response": resp})
        self._sse_end()

    # ---- Anthropic Messages ---------------------------------------------
    def _anthropic(self, body, step, u, n):
        model = body.get("model") or self.server.script.model
        mid = "msg_scripted_%d" % max(n, 0)
        usage = {"input_tokens": u["input"] - u["cached"], "cache_read_input_tokens": u["cached"],
                 "cache_creation_input_tokens": 0, "output_tokens": u["output"]}
        blocks = []
        if step.get("text"):
            blocks.append({"type": "text", "text": step["text"]})
        for i, c in enumerate(step.get("tool_calls", [])):
            blocks.append({"type": "tool_use", "id": "toolu_%d_%d" % (max(n, 0), i), "name": c["name"],
                           "input": c["args"]})
        stop = "tool_use" if step.get("tool_calls") else "end_turn"
        msg = {"id": mid, "type": "message", "role": "assistant", "model": model, "content": blocks,
               "stop_reason": stop, "stop_sequence": None, "usage": usage}
        if not body.get("stream"):
            return self._json(200, msg)
        self._sse_start()
        self._event("message_start", {"type": "message_start", "message": dict(
            msg, content=[], stop_reason=None, usage=dict(usage, output_tokens=1))})
        for i, b in enumerate(blocks):
            if b["type"] == "text":
                self._event("content_block_start", {"type": "content_block_start", "index": i,
                                                     "content_block": {"type": "text", "text": ""}})
                for piece in _split(b["text"]):
                    self._event("content_block_delta", {"type": "content_block_delta", "index": i,
                                                        "delta": {"type": "text_delta", "text": piece}})
            else:
                self._event("content_block_start", {"type": "content_block_start", "index": i,
                                                     "content_block": dict(b, input={})})
                self._event("content_block_delta", {"type": "content_block_delta", "index": i, "delta": {
                    "type": "input_json_delta", "partial_json": json.dumps(b["input"])}})
            self._event("content_block_stop", {"type": "content_block_stop", "index": i})
        self._event("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop,
                                                                         "stop_sequence": None},
                                      "usage": usage})
        self._event("message_stop", {"type": "message_stop"})
        self._sse_end()

    # ---- Gemini -------------------------------------------------------------
    def _gemini(self, path, step, u, n):
        model = path.split("/models/")[-1].split(":")[0]
        parts = []
        if step.get("text"):
            parts.append({"text": step["text"]})
        for c in step.get("tool_calls", []):
            parts.append({"functionCall": {"name": c["name"], "args": c["args"]}})
        usage = {"promptTokenCount": u["input"], "candidatesTokenCount": u["output"],
                 "totalTokenCount": u["input"] + u["output"], "cachedContentTokenCount": u["cached"]}
        resp = {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP",
                                "index": 0}],
                "usageMetadata": usage, "modelVersion": model, "responseId": "gresp-%d" % max(n, 0)}
        if ":streamGenerateContent" not in path:
            return self._json(200, resp)
        self._sse_start()
        self._chunk("data: " + json.dumps(resp) + "\r\n\r\n")
        self._sse_end()


def _split(text, size=40):
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    srv.script = Script(args.script)
    srv.log_path = args.log
    srv.log_lock = threading.Lock()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
