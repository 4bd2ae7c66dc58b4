"""Tests of scripts/protos (lint and breaking-change check) on small protos written here, and on the repository's own.

    /usr/bin/python3 -m unittest discover -s tests/protos -v
"""
from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import io
import os
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[2]
_loader = importlib.machinery.SourceFileLoader("prefsuite_protos", str(ROOT / "scripts" / "protos"))
_spec = importlib.util.spec_from_loader("prefsuite_protos", _loader)
assert _spec is not None
protos = importlib.util.module_from_spec(_spec)
sys.modules["prefsuite_protos"] = protos  # dataclasses look their module up there
_loader.exec_module(protos)

CLEAN = """syntax = "proto3";

// A test API.
package acme.v1;

option csharp_namespace = "Acme.V1";

// Says hello.
service GreeterService {
  // One greeting.
  rpc Greet(GreetRequest) returns (GreetResponse);
  // Greetings as they come.
  rpc GreetMany(GreetRequest) returns (stream GreetResponse);
}

// Whom to greet.
message GreetRequest {
  // The name.
  string name = 1;
  // How often.
  int32 times = 2;
  // Extra words.
  repeated string words = 3;
  // A weight.
  double weight = 4;
}

// The greeting.
message GreetResponse {
  // The text.
  string text = 1;
  // Its mood.
  Mood mood = 2;
}

// Moods.
enum Mood {
  // Not set.
  MOOD_UNSPECIFIED = 0;
  // Happy.
  MOOD_HAPPY = 1;
  // Sad.
  MOOD_SAD = 2;
}
"""


def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


class Workspace:
    """Protos in a temporary folder, compiled by Debian's protoc as scripts/protos compiles them."""

    def __init__(self) -> None:
        self._temp = tempfile.TemporaryDirectory()
        self.dir = Path(self._temp.name)
        self._sets = 0

    def compile(self, files: Dict[str, str], name: str = "set"):
        root = self.dir / name
        write(root, files)
        return protos.compile_protos(root, self.dir / f"{name}.binpb", source_info=True), protos.proto_files(root)

    def lint(self, files: Dict[str, str]) -> List[str]:
        self._sets += 1
        descriptors, own = self.compile(files, f"lint{self._sets}")
        return protos.lint_set(descriptors, own)

    def compare(self, before: str, after: str) -> Tuple[List[str], List[str]]:
        released, _ = self.compile({"acme/v1/greeter.proto": before}, "before")
        current, _ = self.compile({"acme/v1/greeter.proto": after}, "after")
        result = protos.compare(released, current)
        return result.breaking, result.notes

    def close(self) -> None:
        self._temp.cleanup()


class LintTests(unittest.TestCase):
    def setUp(self) -> None:
        self.work = Workspace()
        self.addCleanup(self.work.close)

    def lint(self, text: str, path: str = "acme/v1/greeter.proto") -> List[str]:
        return self.work.lint({path: text})

    def test_a_clean_api_has_no_problems(self) -> None:
        self.assertEqual([], self.lint(CLEAN))

    def test_the_repository_protos_have_no_problems(self) -> None:
        with tempfile.TemporaryDirectory() as temp:
            descriptors = protos.compile_protos(protos.PROTOS, Path(temp) / "current.binpb", source_info=True)
        self.assertEqual([], protos.lint_set(descriptors, protos.proto_files(protos.PROTOS)))

    def test_a_field_named_after_a_keyword_is_named_with_its_languages(self) -> None:
        problems = self.lint(CLEAN.replace("double weight = 4;", "double lambda = 4;").replace("int32 times = 2;", "int32 default = 2;"))
        self.assertEqual(
            [
                "acme/v1/greeter.proto:21: field GreetRequest.default is a keyword in C#, Go, Java, JavaScript: rename it",
                "acme/v1/greeter.proto:25: field GreetRequest.lambda is a keyword in Python: rename it",
            ],
            problems,
        )

    def test_every_element_needs_a_comment(self) -> None:
        text = CLEAN.replace("  // How often.\n", "").replace("  // Sad.\n", "").replace("  // One greeting.\n", "")
        self.assertEqual(
            [
                "acme/v1/greeter.proto:19: field GreetRequest.times has no comment",
                "acme/v1/greeter.proto:40: enum value MOOD_SAD has no comment",
                "acme/v1/greeter.proto:10: rpc GreeterService.Greet has no comment",
            ],
            self.lint(text),
        )

    def test_enum_values_carry_the_enum_prefix_and_zero_is_unspecified(self) -> None:
        text = CLEAN.replace("MOOD_UNSPECIFIED = 0;", "MOOD_NONE = 0;").replace("MOOD_SAD = 2;", "SAD = 2;")
        problems = self.lint(text)
        self.assertIn("acme/v1/greeter.proto:39: the zero value of Mood must be MOOD_UNSPECIFIED, not MOOD_NONE", problems)
        self.assertIn("acme/v1/greeter.proto:43: enum value SAD must be UPPER_SNAKE_CASE and start with MOOD_", problems)
        self.assertEqual(2, len(problems))

    def test_the_package_is_versioned_and_matches_its_folder(self) -> None:
        unversioned = self.lint(CLEAN.replace("package acme.v1;", "package acme;"), "acme/greeter.proto")
        self.assertEqual(["acme/greeter.proto:1: package 'acme' does not end in a version such as v1 (e.g. prefsuite.v1)"], unversioned)
        elsewhere = self.lint(CLEAN, "other/v1/greeter.proto")
        self.assertEqual(["other/v1/greeter.proto:1: file is in 'other/v1/' but its package 'acme.v1' asks for 'acme/v1/'"], elsewhere)

    def test_names_follow_the_case_rules_and_services_end_in_service(self) -> None:
        text = CLEAN.replace("service GreeterService", "service Greeter").replace("string name = 1;", "string userName = 1;")
        self.assertEqual(
            [
                "acme/v1/greeter.proto:19: field GreetRequest.userName is not lower_snake_case",
                "acme/v1/greeter.proto:9: service 'Greeter' must be PascalCase and end in 'Service'",
            ],
            self.lint(text),
        )


class BreakingTests(unittest.TestCase):
    def setUp(self) -> None:
        self.work = Workspace()
        self.addCleanup(self.work.close)

    def test_adding_fields_messages_values_and_rpcs_breaks_nothing(self) -> None:
        after = (
            CLEAN.replace("  double weight = 4;\n", "  double weight = 4;\n  // New.\n  optional bool loud = 5;\n")
            .replace("  MOOD_SAD = 2;\n", "  MOOD_SAD = 2;\n  // New.\n  MOOD_CALM = 3;\n")
            .replace("}\n\n// Whom to greet.", "  // New.\n  rpc Wave(GreetRequest) returns (GreetResponse);\n}\n\n// New.\nmessage Extra {}\n\n// Whom to greet.")
        )
        self.assertEqual(([], []), self.work.compare(CLEAN, after))

    def test_a_renamed_field_with_its_number_and_type_is_wire_compatible_but_changes_its_json_name(self) -> None:
        breaking, notes = self.work.compare(CLEAN, CLEAN.replace("double weight = 4;", "double sparse_weight = 4;"))
        self.assertEqual([], breaking)
        self.assertEqual(
            ["acme.v1.GreetRequest field 4 (weight) renamed to sparse_weight: wire-compatible; its JSON name changes (weight -> sparseWeight)"],
            notes,
        )

    def test_making_a_field_optional_keeps_the_wire(self) -> None:
        self.assertEqual(([], []), self.work.compare(CLEAN, CLEAN.replace("double weight = 4;", "optional double weight = 4;")))

    def test_removed_or_renumbered_fields_break(self) -> None:
        removed, _ = self.work.compare(CLEAN, CLEAN.replace("  // A weight.\n  double weight = 4;\n", ""))
        self.assertEqual(["acme.v1.GreetRequest field 4 (weight) was removed"], removed)
        renumbered, _ = self.work.compare(CLEAN, CLEAN.replace("double weight = 4;", "double weight = 5;"))
        self.assertEqual(["acme.v1.GreetRequest field 4 (weight) was removed"], renumbered)

    def test_changed_field_types_and_labels_break(self) -> None:
        breaking, _ = self.work.compare(
            CLEAN, CLEAN.replace("int32 times = 2;", "int64 times = 2;").replace("repeated string words = 3;", "string words = 3;")
        )
        self.assertEqual(
            [
                "acme.v1.GreetRequest field 2 (times) changed type: int32 -> int64",
                "acme.v1.GreetRequest field 3 (words) changed type: repeated string -> string",
            ],
            breaking,
        )

    def test_moving_a_field_into_a_oneof_breaks(self) -> None:
        after = CLEAN.replace("  // The name.\n  string name = 1;\n", "  // Who.\n  oneof who {\n    // The name.\n    string name = 1;\n  }\n")
        breaking, _ = self.work.compare(CLEAN, after)
        self.assertEqual(["acme.v1.GreetRequest field 1 (name) moved from oneof None to who"], breaking)

    def test_removed_messages_enum_values_rpcs_and_changed_signatures_break(self) -> None:
        after = (
            CLEAN.replace("  // Sad.\n  MOOD_SAD = 2;\n", "")
            .replace("rpc GreetMany(GreetRequest) returns (stream GreetResponse);", "rpc GreetMany(stream GreetRequest) returns (GreetRequest);")
            .replace("  // One greeting.\n  rpc Greet(GreetRequest) returns (GreetResponse);\n", "")
        )
        breaking, _ = self.work.compare(CLEAN, after)
        self.assertEqual(
            [
                "enum acme.v1.Mood value 2 (MOOD_SAD) was removed",
                "rpc acme.v1.GreeterService.Greet was removed or renamed",
                "rpc acme.v1.GreeterService.GreetMany output type changed: acme.v1.GreetResponse -> acme.v1.GreetRequest",
                "rpc acme.v1.GreeterService.GreetMany client streaming changed: False -> True",
                "rpc acme.v1.GreeterService.GreetMany server streaming changed: True -> False",
            ],
            breaking,
        )

    def test_a_renamed_enum_value_keeps_the_wire_but_breaks_json(self) -> None:
        breaking, notes = self.work.compare(CLEAN, CLEAN.replace("MOOD_SAD = 2;", "MOOD_GLUM = 2;"))
        self.assertEqual([], breaking)
        self.assertEqual(["enum acme.v1.Mood value 2 renamed MOOD_SAD -> MOOD_GLUM: wire-compatible; JSON carries the name, so JSON clients break"], notes)

    def test_a_renamed_package_breaks_everything_in_it(self) -> None:
        released, _ = self.work.compile({"acme/v1/greeter.proto": CLEAN}, "before")
        current, _ = self.work.compile({"acme/v2/greeter.proto": CLEAN.replace("acme.v1", "acme.v2")}, "after")
        breaking = protos.compare(released, current).breaking
        self.assertEqual("package acme.v1 was removed or renamed", breaking[0])
        self.assertIn("message acme.v1.GreetRequest was removed or renamed", breaking)
        self.assertIn("service acme.v1.GreeterService was removed or renamed", breaking)


class CommandTests(unittest.TestCase):
    def run_command(self, *args: str) -> Tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = protos.main(["scripts/protos", *args])
        return code, out.getvalue()

    def test_bless_then_check_passes_and_a_break_fails_naming_the_way_to_bless(self) -> None:
        with tempfile.TemporaryDirectory() as temp:
            root = Path(temp) / "protos"
            write(root, {"acme/v1/greeter.proto": CLEAN})
            saved = {k: os.environ.get(k) for k in ("PREFSUITE_PROTOS", "PREFSUITE_PROTOS_BASELINE")}
            os.environ["PREFSUITE_PROTOS"] = str(root)
            os.environ.pop("PREFSUITE_PROTOS_BASELINE", None)
            try:
                self.assertEqual(0, self.run_command("bless")[0])
                self.assertTrue((root / "released.binpb").exists())
                code, output = self.run_command("check")
                self.assertEqual(0, code, output)
                self.assertIn("protos: ok (1 files, 0 lint problems, 0 breaking changes)", output)

                write(root, {"acme/v1/greeter.proto": CLEAN.replace("int32 times = 2;", "string times = 2;")})
                code, output = self.run_command("check")
                self.assertEqual(1, code)
                self.assertIn("breaking: acme.v1.GreetRequest field 2 (times) changed type: int32 -> string", output)
                self.assertIn("scripts/protos bless", output)

                self.assertEqual(0, self.run_command("bless")[0])
                self.assertEqual(0, self.run_command("check")[0])
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value

    def test_the_repository_protos_match_their_released_baseline(self) -> None:
        code, output = self.run_command("check")
        self.assertEqual(0, code, output)


if __name__ == "__main__":
    unittest.main()
