#!/usr/bin/python3
"""Renders the expected outputs of PrefSuite.ChatTemplates' tests with Jinja2 itself.

Regenerate the fixture (from the repository root; needs Jinja2 3.1.x, Debian's python3-jinja2):

    /usr/bin/python3 tests/PrefSuite.ChatTemplates.Tests/reference/render_reference.py

It writes reference/expected.json next to this script. The environment below is set up the way
transformers' chat_template_utils sets up its own (ImmutableSandboxedEnvironment with trim_blocks,
lstrip_blocks, the loopcontrols extension and a {% generation %} tag; a tojson filter that calls
json.dumps without HTML escaping; raise_exception and strftime_now globals), and templates are rendered
with the variables apply_chat_template passes: messages, tools, documents, add_generation_prompt, the
special tokens and any extra keyword arguments. strftime_now reads a frozen clock so outputs are stable.
"""

import datetime
import json
import pathlib
import sys

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parent
TEMPLATES = HERE.parent / "Templates"
FROZEN_NOW = datetime.datetime(2025, 3, 14, 12, 0, 0)


class GenerationTag(jinja2.ext.Extension):
    """{% generation %}...{% endgeneration %}: renders its body (transformers tracks its span; rendering is the same)."""

    tags = {"generation"}

    def parse(self, parser):
        line = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        call = self.call_method("_render_body")
        return jinja2.nodes.CallBlock(call, [], [], body).set_lineno(line)

    def _render_body(self, caller):
        return caller()


def build_environment():
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, jinja2.ext.loopcontrols]
    )

    def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def strftime_now(fmt):
        return FROZEN_NOW.strftime(fmt)

    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source, variables):
    try:
        return {"output": env.from_string(source).render(**variables)}
    except Exception as error:  # every failure is an expected error for the C# side
        return {"error": {"type": type(error).__name__, "message": str(error)}}


# ---------------------------------------------------------------------------------------------------------------
# Conversations and template variables
# ---------------------------------------------------------------------------------------------------------------

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city, e.g. «Zürich»"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"},
                "days": {"type": "integer", "description": "Forecast days", "default": 1},
            },
            "required": ["city"],
        },
    },
}

SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search the web.",
        "parameters": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "Query text"},
                "max_results": {"type": ["integer", "null"], "description": "Result limit"},
                "tags": {"type": "array", "items": {"type": "string"}, "description": "Tags"},
                "ratio": {"type": "number", "nullable": True},
            },
            "required": ["query"],
        },
    },
}

TOOL_RESULT = '{"temperature": 18.5, "condition": "sunny"}'

CONVERSATIONS = {
    "system_user": [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello!"},
    ],
    "user_only": [
        {"role": "user", "content": "What is 2 + 2?"},
    ],
    "multi_turn": [
        {"role": "user", "content": "Hi there."},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Tell me a joke."},
        {"role": "assistant", "content": "Why did the chicken cross the road? To get to the other side."},
    ],
    "system_multi_turn": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "Another one."},
    ],
    "unicode_quotes_whitespace": [
        {"role": "system", "content": "  Réponds en français — «vite» !  \n"},
        {
            "role": "user",
            "content": "He said \"hi\" and 'bye',\ta tab, a backslash \\ and 🙂 日本語\n\nsecond paragraph  ",
        },
        {"role": "assistant", "content": "\n  Sure: {{ not a template }} {% raw %} <|im_end|> \u00a0\n"},
        {"role": "user", "content": "   "},
    ],
    "empty_and_newline_content": [
        {"role": "user", "content": ""},
        {"role": "assistant", "content": "\n\n"},
        {"role": "user", "content": "\r\nwindows line\r\n"},
    ],
    "non_alternating": [
        {"role": "user", "content": "First."},
        {"role": "user", "content": "Second."},
    ],
    "system_only": [
        {"role": "system", "content": "Only a system prompt."},
    ],
    "empty": [],
    "list_content": [
        {"role": "user", "content": [{"type": "text", "text": "Describe this"}, {"type": "image", "url": "cat.png"}]},
    ],
    "number_content": [
        {"role": "user", "content": 42},
    ],
    "tool_round_trip": [
        {"role": "system", "content": "You can call tools."},
        {"role": "user", "content": "What's the weather in Paris?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "abcDEF123",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "abcDEF123", "name": "get_weather", "content": TOOL_RESULT},
        {"role": "assistant", "content": "It is 18.5 °C and sunny in Paris."},
    ],
    "tool_two_calls": [
        {"role": "user", "content": "Weather in Paris and Oslo?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call00001",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": {"city": "Paris"}},
                },
                {
                    "id": "call00002",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": {"city": "Oslo", "days": 2}},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call00001", "content": "sunny"},
        {"role": "tool", "tool_call_id": "call00002", "content": "rain"},
        {"role": "assistant", "content": "Paris is sunny; Oslo has rain."},
        {"role": "user", "content": "Thanks"},
    ],
    "tool_string_arguments": [
        {"role": "user", "content": "What's the weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "abcDEF123",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "abcDEF123", "content": TOOL_RESULT},
        {"role": "assistant", "content": "Sunny, 18.5 °C."},
    ],
    "tool_without_call": [
        {"role": "user", "content": "Hi"},
        {"role": "tool", "content": "orphan result"},
    ],
    "reasoning": [
        {"role": "user", "content": "What is 2 + 2?"},
        {"role": "assistant", "content": "4.", "reasoning_content": "Two plus two is four."},
        {"role": "user", "content": "And 3 + 3?"},
        {"role": "assistant", "content": "<think>\nThree plus three.\n</think>\n\nIt is 6."},
    ],
    "reasoning_last_user": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "<think>greeting</think>Hello!"},
        {"role": "user", "content": "<tool_response>x</tool_response>"},
    ],
    "thinking_field": [
        {"role": "user", "content": "What is 2 + 2?"},
        {"role": "assistant", "content": "4", "thinking": "Simple addition."},
    ],
    "channel_tags_in_content": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "<|channel|>final<|message|>Hello"},
    ],
}

TOOLS = [WEATHER_TOOL, SEARCH_TOOL]

DOCUMENTS = [
    {"title": "Paris", "text": "Paris is the capital of France."},
    {"title": "Oslo «note»", "text": "Oslo is\nthe capital of Norway."},
]

# Named sets of extra template variables (apply_chat_template keyword arguments).
EXTRAS = {
    "none": {},
    "tools": {"tools": TOOLS},
    "enable_thinking_false": {"enable_thinking": False},
    "enable_thinking_true": {"enable_thinking": True},
    "tools_in_system": {"tools": TOOLS, "tools_in_user_message": False},
    "builtin_tools": {"tools": TOOLS, "builtin_tools": ["brave_search", "wolfram_alpha", "code_interpreter"]},
    "date_string": {"date_string": "01 Jan 2025"},
    "gpt_oss_options": {
        "tools": TOOLS,
        "builtin_tools": ["browser", "python"],
        "reasoning_effort": "high",
        "model_identity": "You are a test model.",
    },
    "documents": {"documents": DOCUMENTS},
    "documents_citations_tools": {"documents": DOCUMENTS, "enable_citations": True, "tools": TOOLS},
}

BASIC = [
    "system_user",
    "user_only",
    "multi_turn",
    "system_multi_turn",
    "unicode_quotes_whitespace",
    "empty_and_newline_content",
    "non_alternating",
    "system_only",
    "empty",
    "list_content",
    "number_content",
]
TOOL_CONVERSATIONS = ["tool_round_trip", "tool_two_calls", "tool_string_arguments", "tool_without_call"]
REASONING = ["reasoning", "reasoning_last_user", "thinking_field", "channel_tags_in_content"]

# Which extra variable sets each template is rendered with, beyond the plain matrix.
TEMPLATE_EXTRAS = {
    "qwen2.5-instruct": ["tools"],
    "qwen3": ["tools", "enable_thinking_false", "enable_thinking_true"],
    "llama-3.1-instruct": ["tools", "tools_in_system", "builtin_tools", "date_string"],
    "llama-3.2-instruct": ["tools", "tools_in_system", "date_string"],
    "mistral-7b-instruct-v0.3": ["tools"],
    "mistral-nemo-instruct-2407": ["tools"],
    "gpt-oss-120b": ["tools", "gpt_oss_options"],
    "command-r7b-12-2024-tool_use": ["tools", "documents", "documents_citations_tools"],
    "deepseek-r1-distill": [],
}


def template_cases(env):
    metadata = json.loads((TEMPLATES / "templates.json").read_text(encoding="utf-8"))
    cases = []
    for entry in metadata["templates"]:
        name = entry["name"]
        source = (TEMPLATES / entry["file"]).read_text(encoding="utf-8")
        plan = [(conversation, "none") for conversation in BASIC + TOOL_CONVERSATIONS + REASONING]
        for extra in TEMPLATE_EXTRAS.get(name, []):
            conversations = ["system_user", "user_only", "multi_turn"] + TOOL_CONVERSATIONS + REASONING
            plan += [(conversation, extra) for conversation in conversations]
        for conversation, extra in plan:
            for add_generation_prompt in (True, False):
                variables = {
                    "messages": json.loads(json.dumps(CONVERSATIONS[conversation])),
                    "tools": None,
                    "documents": None,
                    "add_generation_prompt": add_generation_prompt,
                }
                for token in ("bos_token", "eos_token"):
                    if entry[token] is not None:
                        variables[token] = entry[token]
                variables.update(json.loads(json.dumps(EXTRAS[extra])))
                case = {
                    "id": f"{name}/{conversation}/{'gen' if add_generation_prompt else 'nogen'}/{extra}",
                    "template": name,
                    "conversation": conversation,
                    "add_generation_prompt": add_generation_prompt,
                    "extra": extra,
                }
                case.update(render(env, source, variables))
                cases.append(case)
    return cases


def language_cases(env):
    from language_cases import CASES

    cases = []
    seen = set()
    for name, source, variables, *flags in CASES:
        if name in seen:
            raise SystemExit(f"duplicate language case {name}")
        seen.add(name)
        case = {"id": name, "source": source, "variables": variables}
        case.update(render(env, source, json.loads(json.dumps(variables))))
        if flags:
            # Jinja2's output is not reproduced on purpose (a memory address, bytes): record only that C# must refuse it.
            if "output" not in case:
                raise SystemExit(f"refused case {name} did not render in Jinja2")
            del case["output"]
            case["refused"] = True
        cases.append(case)
    return cases


def main():
    if not jinja2.__version__.startswith("3.1."):
        raise SystemExit(f"expected Jinja2 3.1.x, found {jinja2.__version__}")
    sys.path.insert(0, str(HERE))
    env = build_environment()
    fixture = {
        "about": "Expected outputs rendered by Jinja2 with transformers' chat-template environment. Do not edit by hand.",
        "regenerate": "/usr/bin/python3 tests/PrefSuite.ChatTemplates.Tests/reference/render_reference.py",
        "jinja2_version": jinja2.__version__,
        "frozen_now": FROZEN_NOW.isoformat(),
        "conversations": CONVERSATIONS,
        "extras": EXTRAS,
        "template_cases": template_cases(env),
        "language_cases": language_cases(env),
    }
    text = json.dumps(fixture, ensure_ascii=False, indent=1) + "\n"
    (HERE / "expected.json").write_text(text, encoding="utf-8")
    template_errors = sum(1 for case in fixture["template_cases"] if "error" in case)
    language_errors = sum(1 for case in fixture["language_cases"] if "error" in case)
    print(
        f"{len(fixture['template_cases'])} template cases ({template_errors} expected errors), "
        f"{len(fixture['language_cases'])} language cases ({language_errors} expected errors)"
    )


if __name__ == "__main__":
    main()
