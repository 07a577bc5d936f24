#!/usr/bin/env python3
"""Records vardiff-terraform-1.11.json from the `terraform` on PATH (offline: no providers, no
init). Run from this directory. Each case is a root module of `variable` blocks plus inputs:
files (terraform.tfvars, *.auto.tfvars, -var-file targets), command-line arguments in order
(-var, -var-file) and TF_VAR_ environment values. `terraform plan` gives the case's error and
warning summaries (console would carry on past variable errors); when it succeeds,
`terraform console` gives `jsonencode(EXPR)` for each expression, or "(sensitive value)"."""
import json
import os
import re
import subprocess
import tempfile

FILE = "vardiff-terraform-1.11.json"
# Terraform's own notes that are not about the configuration.
IGNORED = {"Unable to open CLI configuration file",
           "Due to the problems above, some expressions may produce unexpected results."}


def case(name, tf, exprs, files=None, args=(), env=None):
    return {"name": name, "tf": tf, "files": files or {}, "args": [list(a) for a in args],
            "env": env or {}, "exprs": exprs}


def var(name, ty=None, default=None, extra=""):
    body = f"  type = {ty}\n" if ty else ""
    if default is not None:
        body += f"  default = {default}\n"
    return f'variable "{name}" {{\n{body}{extra}}}\n'


def V(value):
    return ("-var", value)


def F(path):
    return ("-var-file", path)


X = ["var.x"]
OBJ_OPT = "object({ a = string, b = optional(number, 5), c = optional(string) })"
NESTED = ("object({ inner = optional(object({ x = optional(number, 1), "
          "y = optional(string), deep = optional(object({ z = optional(bool, true) }), {}) }), {}) })")
CASES = [
    # Primitives and their conversions.
    case("string_default", var("x", "string", '"d"'), X),
    case("number_from_var", var("x", "number"), ["var.x", "var.x + 1"], args=[V("x=1.50")]),
    case("number_exponent_var", var("x", "number"), X, args=[V("x=1e3")]),
    case("number_negative_var", var("x", "number"), X, args=[V("x=-2.5")]),
    case("number_bad_var", var("x", "number"), X, args=[V("x=abc")]),
    case("number_space_var", var("x", "number"), X, args=[V("x= 1")]),
    case("number_hex_var", var("x", "number"), X, args=[V("x=0x10")]),
    case("bool_from_var", var("x", "bool"), ["var.x", "!var.x"], args=[V("x=true")]),
    case("bool_one_var", var("x", "bool"), X, args=[V("x=1")]),
    case("bool_zero_var", var("x", "bool"), X, args=[V("x=0")]),
    case("bool_capital_var", var("x", "bool"), X, args=[V("x=True")]),
    case("bool_from_number_fails", var("x", "bool"), X, files={"terraform.tfvars": "x = 1\n"}),
    case("string_from_big_number", var("x", "string"), X,
         files={"terraform.tfvars": "x = 123456789012\n"}),
    case("string_from_fraction", var("x", "string"), X, files={"terraform.tfvars": "x = 0.25\n"}),
    case("number_from_json_string", var("x", "number"), X,
         files={"terraform.tfvars.json": '{"x": "7.0"}'}),
    case("string_from_json_number", var("x", "string"), X,
         files={"terraform.tfvars.json": '{"x": 7.5}'}),
    case("string_from_heredoc", var("x", "string"), X,
         files={"terraform.tfvars": "x = <<EOT\nline one\n  two\nEOT\n"}),
    case("bool_from_tfvars_string", var("x", "bool"), X,
         files={"terraform.tfvars": 'x = "false"\n'}),
    case("string_from_number", var("x", "string"), X, files={"terraform.tfvars": "x = 12.50\n"}),
    case("string_from_bool", var("x", "string"), X, files={"terraform.tfvars": "x = true\n"}),
    case("string_from_list", var("x", "string"), X, files={"terraform.tfvars": 'x = ["a"]\n'}),
    case("string_var_is_literal", var("x", "string"), X, args=[V("x=[1, 2]")]),
    case("string_var_null_text", var("x", "string"), ["var.x", "var.x == null"],
         args=[V("x=null")]),
    case("string_var_with_equals", var("x", "string"), X, args=[V("x=a=b")]),
    case("string_var_empty", var("x", "string"), X, args=[V("x=")]),
    case("string_var_quoted", var("x", "string"), X, args=[V('x="q"')]),
    case("untyped_var_is_literal", var("x"), X, args=[V("x=[1, 2]")]),
    case("untyped_tfvars_keeps_tuple", var("x"), X, files={"terraform.tfvars": 'x = [1, "a", true]\n'}),
    case("untyped_default_object", var("x", None, '{ b = 1, a = [true] }'), X),
    case("number_tfvars_expression", var("x", "number"), X, files={"terraform.tfvars": "x = 1 + 2\n"}),
    case("string_tfvars_template", var("x", "string"), X,
         files={"terraform.tfvars": 'x = "a${"b"}c"\n'}),
    case("tfvars_function_call", var("x", "string"), X,
         files={"terraform.tfvars": 'x = upper("a")\n'}),
    case("tfvars_reference", var("x", "string"), X, files={"terraform.tfvars": "x = var.y\n"}),
    # Collections.
    case("list_string_converts", var("x", "list(string)"), X,
         files={"terraform.tfvars": 'x = [1, true, "a"]\n'}),
    case("list_number_from_var", var("x", "list(number)"), X, args=[V('x=["1", 2]')]),
    case("list_number_bad", var("x", "list(number)"), X, args=[V('x=["a"]')]),
    case("set_string_dedup_sorted", var("x", "set(string)"), ["var.x", "length(var.x)"],
         files={"terraform.tfvars": 'x = ["b", "a", "b"]\n'}),
    case("set_number_order", var("x", "set(number)"), X,
         files={"terraform.tfvars": "x = [10, 9, 1.5, 10]\n"}),
    case("set_bool_order", var("x", "set(bool)"), X, files={"terraform.tfvars": "x = [true, false]\n"}),
    case("set_not_indexable", var("x", "set(string)"), ["can(var.x[0])", "tolist(var.x)[0]"],
         files={"terraform.tfvars": 'x = ["z", "y"]\n'}),
    case("map_number_converts", var("x", "map(number)"), X,
         files={"terraform.tfvars": 'x = { b = "1", a = 2 }\n'}),
    case("map_from_list_fails", var("x", "map(string)"), X, files={"terraform.tfvars": 'x = ["a"]\n'}),
    case("list_any_unifies", var("x", "list(any)"), X, files={"terraform.tfvars": 'x = [1, "a"]\n'}),
    case("list_any_mixed_fails", var("x", "list(any)"), X, files={"terraform.tfvars": "x = [1, [2]]\n"}),
    case("map_any_unifies", var("x", "map(any)"), X, files={"terraform.tfvars": 'x = { a = 1, b = "x" }\n'}),
    case("list_any_objects_unify", var("x", "list(any)"), X,
         files={"terraform.tfvars": "x = [{ a = 1 }, { b = 2 }]\n"}),
    case("any_keeps_structure", var("x", "any"), X,
         files={"terraform.tfvars": 'x = { a = 1, b = [1, "x"], c = null }\n'}),
    case("legacy_list_keyword", var("x", "list"), X, files={"terraform.tfvars": 'x = [1, "a"]\n'}),
    case("legacy_map_keyword", var("x", "map"), X, files={"terraform.tfvars": "x = { a = 1 }\n"}),
    case("tuple_converts", var("x", "tuple([string, number, bool])"), X,
         files={"terraform.tfvars": 'x = ["a", "2", "true"]\n'}),
    case("tuple_wrong_length", var("x", "tuple([string, number])"), X,
         files={"terraform.tfvars": 'x = ["a"]\n'}),
    case("list_of_lists", var("x", "list(list(number))"), X,
         files={"terraform.tfvars": 'x = [["1"], [2, 3]]\n'}),
    case("map_of_lists", var("x", "map(list(string))"), X,
         files={"terraform.tfvars": "x = { k = [1, 2] }\n"}),
    case("set_of_objects", var("x", "set(object({ a = string }))"), ["length(var.x)"],
         files={"terraform.tfvars": 'x = [{ a = "q" }, { a = "p" }, { a = "q" }]\n'}),
    # Objects and optional attributes.
    case("object_drops_extra", var("x", "object({ a = string })"), X,
         files={"terraform.tfvars": 'x = { a = "1", extra = true }\n'}),
    case("object_missing_required", var("x", "object({ a = string, b = number })"), X,
         files={"terraform.tfvars": 'x = { a = "1" }\n'}),
    case("object_required_null_allowed", var("x", "object({ a = string, b = number })"), X,
         files={"terraform.tfvars": 'x = { a = null, b = 1 }\n'}),
    case("object_from_var_hcl", var("x", OBJ_OPT), X, args=[V('x={ a = "v", c = "w" }')]),
    case("optional_defaults_fill", var("x", OBJ_OPT), X, files={"terraform.tfvars": 'x = { a = "v" }\n'}),
    case("optional_default_replaces_null", var("x", OBJ_OPT), X,
         files={"terraform.tfvars": 'x = { a = "v", b = null }\n'}),
    case("optional_given_value_kept", var("x", OBJ_OPT), X,
         files={"terraform.tfvars": 'x = { a = "v", b = "7" }\n'}),
    case("optional_defaults_into_default", var("x", OBJ_OPT, '{ a = "q" }'), X),
    case("optional_nested_from_empty", var("x", NESTED), X, files={"terraform.tfvars": "x = {}\n"}),
    case("optional_nested_partial", var("x", NESTED), X,
         files={"terraform.tfvars": 'x = { inner = { y = "d", deep = { z = false } } }\n'}),
    case("optional_nested_null_inner", var("x", NESTED), X,
         files={"terraform.tfvars": "x = { inner = null }\n"}),
    case("optional_nested_default_value", var("x", NESTED, "{ inner = { x = 9 } }"), X),
    case("optional_in_list_elements",
         var("x", "list(object({ name = string, port = optional(number, 80) }))"), X,
         files={"terraform.tfvars": 'x = [{ name = "a" }, { name = "b", port = 8080 }]\n'}),
    case("optional_in_map_elements",
         var("x", "map(object({ size = optional(number, 1), tags = optional(map(string), {}) }))"),
         X, files={"terraform.tfvars": 'x = { one = {}, two = { tags = { k = "v" } } }\n'}),
    case("optional_list_default_elements",
         var("x", "object({ items = optional(list(object({ n = optional(number, 3) })), [{}]) })"),
         X, files={"terraform.tfvars": "x = {}\n"}),
    case("optional_map_default_not_merged",
         var("x", 'object({ tags = optional(map(string), { a = "1" }) })'), X,
         files={"terraform.tfvars": 'x = { tags = { b = "2" } }\n'}),
    case("optional_in_default_list",
         var("x", "list(object({ a = optional(number, 4) }))", "[{}, { a = 1 }]"), X),
    case("optional_without_default_is_null",
         var("x", "object({ a = optional(list(string)) })"), ["var.x", "var.x.a == null"],
         files={"terraform.tfvars": "x = {}\n"}),
    case("optional_in_set_elements",
         var("x", 'set(object({ a = optional(string, "z") }))'), ["length(var.x)", "[for o in var.x : o.a]"],
         files={"terraform.tfvars": 'x = [{}, { a = "z" }]\n'}),
    case("default_converted_to_set", var("x", "set(string)", '["b", "a", "a"]'), X),
    case("default_wrong_type", var("x", "number", '"abc"'), X),
    case("default_null_optional_var", var("x", "string", "null"), ["var.x == null"]),
    # nullable.
    case("nullable_false_null_uses_default", var("x", "string", '"d"', "  nullable = false\n"), X,
         files={"terraform.tfvars": "x = null\n"}),
    case("nullable_false_null_no_default", var("x", "string", None, "  nullable = false\n"), X,
         files={"terraform.tfvars": "x = null\n"}),
    case("nullable_true_null_stays_null", var("x", "string", '"d"'), ["var.x == null"],
         files={"terraform.tfvars": "x = null\n"}),
    case("nullable_false_var_null_hcl", var("x", "list(string)", '["d"]', "  nullable = false\n"),
         X, args=[V("x=null")]),
    case("nullable_false_default_null", var("x", "string", "null", "  nullable = false\n"), X),
    # -var and TF_VAR_ parsing of complex types.
    case("var_map_of_objects", var("x", "map(object({ n = optional(number, 2), s = string }))"), X,
         args=[V('x={ k = { s = "v" }, j = { s = "w", n = "3" } }')]),
    case("var_list_multiline", var("x", "list(string)"), X, args=[V('x=[\n  "a",\n  "b",\n]')]),
    case("var_map_hcl", var("x", "map(string)"), X, args=[V("x={ b = 1, a = \"x\" }")]),
    case("var_list_syntax_error", var("x", "list(string)"), X, args=[V("x=[\"a\",")]),
    case("var_list_reference", var("x", "list(string)"), X, args=[V("x=[var.y]")]),
    case("var_list_function", var("x", "list(string)"), X, args=[V('x=[upper("a")]')]),
    case("var_any_bare_word", var("x", "any"), X, args=[V("x=hello")]),
    case("var_any_number", var("x", "any"), X, args=[V("x=12")]),
    case("var_any_quoted", var("x", "any"), X, args=[V('x="hi"')]),
    case("var_no_equals", var("x", "string"), X, args=[V("x")]),
    case("var_name_spaces", var("x", "string"), X, args=[V(" x =v")]),
    case("env_string", var("x", "string"), X, env={"TF_VAR_x": "[e]"}),
    case("env_list", var("x", "list(number)"), X, env={"TF_VAR_x": '[1, "2"]'}),
    case("env_object", var("x", OBJ_OPT), X, env={"TF_VAR_x": '{ a = "e" }'}),
    case("env_invalid_hcl", var("x", "map(string)"), X, env={"TF_VAR_x": "{"}),
    case("env_bad_number", var("x", "number"), X, env={"TF_VAR_x": "x1"}),
    case("env_undeclared_ignored", var("x", "string", '"d"'), X, env={"TF_VAR_nope": "1"}),
    case("env_satisfies_required", var("x", "number"), X, env={"TF_VAR_x": "4"}),
    # Precedence.
    case("env_below_tfvars", var("x", "string"), X, env={"TF_VAR_x": "env"},
         files={"terraform.tfvars": 'x = "tfvars"\n'}),
    case("tfvars_json_over_tfvars", var("x", "string"), X,
         files={"terraform.tfvars": 'x = "hcl"\n', "terraform.tfvars.json": '{"x": "json"}'}),
    case("auto_over_tfvars_json", var("x", "string"), X,
         files={"terraform.tfvars.json": '{"x": "json"}', "a.auto.tfvars": 'x = "auto"\n'}),
    case("auto_lexical_order", var("x", "string"), X,
         files={"b.auto.tfvars": 'x = "b"\n', "a.auto.tfvars": 'x = "a"\n',
                "a.auto.tfvars.json": '{"x": "a-json"}'}),
    case("var_file_over_auto", var("x", "string"), X, args=[F("f.tfvars")],
         files={"a.auto.tfvars": 'x = "auto"\n', "f.tfvars": 'x = "file"\n'}),
    case("var_over_var_file", var("x", "string"), X, args=[F("f.tfvars"), V("x=cli")],
         files={"f.tfvars": 'x = "file"\n'}),
    case("var_file_after_var_wins", var("x", "string"), X, args=[V("x=cli"), F("f.tfvars")],
         files={"f.tfvars": 'x = "file"\n'}),
    case("last_var_wins", var("x", "string"), X, args=[V("x=1"), V("x=2")]),
    case("maps_replace_not_merge", var("x", "map(number)"), X, args=[V("x={ b = 2 }")],
         files={"terraform.tfvars": "x = { a = 1 }\n"}),
    case("var_file_json", var("x", OBJ_OPT) + var("n", "number"), ["var.x", "var.n"],
         args=[F("f.tfvars.json")], files={"f.tfvars.json": '{"x": {"a": "j", "b": null}, "n": "5"}'}),
    case("tfvars_json_template", var("x", "string"), X,
         files={"terraform.tfvars.json": '{"x": "a${1 + 1}"}'}),
    case("tfvars_json_null", var("x", "string", '"d"'), ["var.x == null"],
         files={"terraform.tfvars.json": '{"x": null}'}),
    # Undeclared and missing variables.
    case("undeclared_in_tfvars_warns", var("x", "string", '"d"'), X,
         files={"terraform.tfvars": "y = 1\n"}),
    case("undeclared_in_auto_json_warns", var("x", "string", '"d"'), X,
         files={"a.auto.tfvars.json": '{"y": 1}'}),
    case("undeclared_in_var_file_warns", var("x", "string", '"d"'), X, args=[F("f.tfvars")],
         files={"f.tfvars": "y = 1\n"}),
    case("undeclared_many_in_tfvars", var("x", "string", '"d"'), X,
         files={"terraform.tfvars": "a = 1\nb = 2\nc = 3\nd = 4\n"}),
    case("undeclared_var_errors", var("x", "string", '"d"'), X, args=[V("y=1")]),
    case("required_missing", var("x", "string") + var("y", "string", '"d"'), ["var.y"]),
    case("required_from_tfvars", var("x", "number"), X, files={"terraform.tfvars": "x = 3\n"}),
    # Validation.
    case("validation_fails",
         var("x", "number", None, '  validation {\n    condition = var.x < 10\n    error_message = "too big"\n  }\n'),
         X, args=[V("x=20")]),
    case("validation_passes",
         var("x", "number", None, '  validation {\n    condition = var.x < 10\n    error_message = "too big"\n  }\n'),
         X, args=[V("x=2")]),
    case("validation_second_rule_fails",
         var("x", "string", None,
             '  validation {\n    condition = length(var.x) > 0\n    error_message = "empty"\n  }\n'
             '  validation {\n    condition = can(regex("^[a-z]+$", var.x))\n    error_message = "lowercase"\n  }\n'),
         X, args=[V("x=ABC")]),
    case("validation_sees_converted_value",
         var("x", "list(number)", None,
             '  validation {\n    condition = alltrue([for n in var.x : n > 0])\n    error_message = "positive"\n  }\n'),
         X, args=[V('x=["1", "2"]')]),
    case("validation_of_default_fails",
         var("x", "string", '"Bad"', '  validation {\n    condition = lower(var.x) == var.x\n    error_message = "lower"\n  }\n'),
         X),
    case("validation_refers_other_var",
         var("lim", "number", "5") +
         var("x", "number", None, '  validation {\n    condition = var.x <= var.lim\n    error_message = "over"\n  }\n'),
         X, args=[V("x=6")]),
    # Sensitive values.
    case("sensitive_value",
         var("x", "string", None, "  sensitive = true\n"),
         ["var.x", "nonsensitive(var.x)", "length(var.x)"], args=[V("x=secret")]),
    case("sensitive_object_attribute",
         var("x", "object({ a = string })", None, "  sensitive = true\n"),
         ["var.x.a", "nonsensitive(var.x).a"], files={"terraform.tfvars": 'x = { a = "s" }\n'}),
]


def summaries(text, kind):
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return [s.strip() for s in re.findall(rf"{kind}: (.*)", text) if s.strip() not in IGNORED]


def record(c):
    with tempfile.TemporaryDirectory() as cwd:
        with open(os.path.join(cwd, "main.tf"), "w") as f:
            f.write(c["tf"])
        for name, text in c["files"].items():
            with open(os.path.join(cwd, name), "w") as f:
                f.write(text)
        args = [f"{flag}={value}" for flag, value in c["args"]]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_")}
        env.update(c["env"])
        env["TF_IN_AUTOMATION"] = "1"
        plan = subprocess.run(["terraform", "plan", "-input=false", "-lock=false", *args],
                              capture_output=True, text=True, cwd=cwd, env=env)
        out = dict(c)
        out["errors"] = summaries(plan.stderr + plan.stdout, "Error")
        out["warnings"] = summaries(plan.stderr + plan.stdout, "Warning")
        if plan.returncode != 0:
            if not out["errors"]:
                raise SystemExit(f"{c['name']}: plan failed without an error: {plan.stderr}")
            return out
        out["results"] = []
        for e in c["exprs"]:
            p = subprocess.run(["terraform", "console", *args], input=f"jsonencode({e})\n",
                               capture_output=True, text=True, cwd=cwd, env=env)
            errors = summaries(p.stderr, "Error")
            # Console prints warnings on stdout before the result, which is its last line.
            text = re.sub(r"\x1b\[[0-9;]*m", "", p.stdout).strip().splitlines()[-1]
            if errors:
                out["results"].append({"error": errors[0]})
            elif text.startswith('"'):
                out["results"].append({"json": json.loads(text)})
            else:
                out["results"].append({"console": text})
        return out


def main():
    cases = [record(c) for c in CASES]
    with open(FILE, "w") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
