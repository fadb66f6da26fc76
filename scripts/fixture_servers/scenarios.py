"""Scenarios recorded for every agent (agent-neutral; agents.py maps them to tool names).

A step is what the scripted model does on one model request:
  ("write", path, content)   call the agent's write-file tool
  ("shell", command, ok, files) call the agent's shell tool; ok = whether the command
                             succeeds, files = the project files it writes
  ("text", answer)           reply with text and end the turn
  ("error", status, message) answer the request with an HTTP error
  ("subagent", prompt)       call the agent's sub-agent tool; the sub-agent's own model
                             requests follow as ("sub_text", answer)
A turn is one CLI invocation: the prompt, how it attaches to the session, and its steps.
"""

# A format-valid fake GitHub token: "ghp_" + 36 alphanumerics. Never a real credential.
SECRET = "ghp_" + "Fx7Qk2Lm9Zp4Rt8Wv3Yb6Nc1Hd5Js0Ga2Ke7"
assert len(SECRET) == 40

SCENARIOS = [
    {
        "name": "success",
        "outcome": "success",
        "turns": [{
            "prompt": "Create notes.txt containing the line 'hello from skillpipe', then show me the file.",
            "steps": [("write", "notes.txt", "hello from skillpipe\n"),
                      ("shell", "cat notes.txt", True, []),
                      ("text", "Created notes.txt; it contains: hello from skillpipe")],
        }],
    },
    {
        "name": "shell_fail",
        "outcome": "tool_error",
        "turns": [{
            "prompt": "Run the project's test script ./run-tests.sh and tell me whether it passes.",
            "steps": [("shell", "./run-tests.sh", False, []),
                      ("text", "The tests could not run: ./run-tests.sh does not exist in this project.")],
        }],
    },
    {
        "name": "api_error",
        "outcome": "api_error",
        "turns": [{
            "prompt": "Summarise README.md in one sentence.",
            "steps": [("error", 400, "scripted fixture error: the model rejected this request")],
        }],
    },
    {
        "name": "secret",
        "outcome": "success",
        "secret": True,
        "turns": [{
            "prompt": "My deploy token is " + SECRET + " - keep it out of any file, just confirm you saw it.",
            "steps": [("text", "Confirmed. I will not write the token to any file.")],
        }],
    },
    {
        "name": "resume",
        "outcome": "success",
        "turns": [
            {"prompt": "Create todo.txt listing three tasks: write docs, add tests, fix bug.",
             "steps": [("write", "todo.txt", "1. write docs\n2. add tests\n3. fix bug\n"),
                       ("text", "Created todo.txt with three tasks.")]},
            {"prompt": "Add a fourth task 'ship it' to todo.txt.", "resume": "id",
             "steps": [("shell", "echo '4. ship it' >> todo.txt", True, ["todo.txt"]),
                       ("text", "Added '4. ship it' to todo.txt.")]},
        ],
    },
    {
        "name": "praise",
        "outcome": "success",
        "feedback": "positive",
        "turns": [
            {"prompt": "Write a greet(name) function in greet.py that returns 'Hello, <name>!'.",
             "steps": [("write", "greet.py", "def greet(name):\n    return f\"Hello, {name}!\"\n"),
                       ("text", "Added greet(name) to greet.py.")]},
            {"prompt": "Perfect, thanks! That is exactly what I wanted.", "resume": "continue",
             "steps": [("text", "Glad it helps!")]},
        ],
    },
    {
        "name": "subagent",
        "outcome": "success",
        "turns": [{
            "prompt": "Use a sub-agent to find out which files this project contains, then report.",
            "steps": [("subagent", "List the files in the project root and report them."),
                      ("sub_text", "The project root contains README.md."),
                      ("text", "The sub-agent reports one file: README.md.")],
        }],
    },
]
