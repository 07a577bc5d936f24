//! The names of every function's parameters, as Terraform declares them (`terraform metadata
//! functions -json`), so an argument error says `Invalid value for "newbits" parameter` as
//! Terraform does. A test checks the table against testdata/funcargs-terraform-1.11.json.

/// Function name → its parameters in order, and the variadic parameter if any. Sorted.
const PARAMS: &[(&str, &[&str], Option<&str>)] = &[
    ("abs", &["num"], None),
    ("abspath", &["path"], None),
    ("alltrue", &["list"], None),
    ("anytrue", &["list"], None),
    ("base64decode", &["str"], None),
    ("base64encode", &["str"], None),
    ("base64gzip", &["str"], None),
    ("base64sha256", &["str"], None),
    ("base64sha512", &["str"], None),
    ("basename", &["path"], None),
    ("can", &["expression"], None),
    ("ceil", &["num"], None),
    ("chomp", &["str"], None),
    ("chunklist", &["list", "size"], None),
    ("cidrhost", &["prefix", "hostnum"], None),
    ("cidrnetmask", &["prefix"], None),
    ("cidrsubnet", &["prefix", "newbits", "netnum"], None),
    ("cidrsubnets", &["prefix"], Some("newbits")),
    ("coalesce", &[], Some("vals")),
    ("coalescelist", &[], Some("vals")),
    ("compact", &["list"], None),
    ("concat", &[], Some("seqs")),
    ("contains", &["list", "value"], None),
    ("csvdecode", &["str"], None),
    ("dirname", &["path"], None),
    ("distinct", &["list"], None),
    ("element", &["list", "index"], None),
    ("endswith", &["str", "suffix"], None),
    ("ephemeralasnull", &["value"], None),
    ("file", &["path"], None),
    ("filebase64", &["path"], None),
    ("filebase64sha256", &["path"], None),
    ("filebase64sha512", &["path"], None),
    ("fileexists", &["path"], None),
    ("filemd5", &["path"], None),
    ("fileset", &["path", "pattern"], None),
    ("filesha1", &["path"], None),
    ("filesha256", &["path"], None),
    ("filesha512", &["path"], None),
    ("flatten", &["list"], None),
    ("floor", &["num"], None),
    ("format", &["format"], Some("args")),
    ("formatdate", &["format", "time"], None),
    ("formatlist", &["format"], Some("args")),
    ("indent", &["spaces", "str"], None),
    ("index", &["list", "value"], None),
    ("issensitive", &["value"], None),
    ("join", &["separator"], Some("lists")),
    ("jsondecode", &["str"], None),
    ("jsonencode", &["val"], None),
    ("keys", &["inputMap"], None),
    ("length", &["value"], None),
    ("log", &["num", "base"], None),
    ("lookup", &["inputMap", "key"], Some("default")),
    ("lower", &["str"], None),
    ("matchkeys", &["values", "keys", "searchset"], None),
    ("max", &[], Some("numbers")),
    ("md5", &["str"], None),
    ("merge", &[], Some("maps")),
    ("min", &[], Some("numbers")),
    ("nonsensitive", &["value"], None),
    ("one", &["list"], None),
    ("parseint", &["number", "base"], None),
    ("pathexpand", &["path"], None),
    ("pow", &["num", "power"], None),
    ("range", &[], Some("params")),
    ("regex", &["pattern", "string"], None),
    ("regexall", &["pattern", "string"], None),
    ("replace", &["str", "substr", "replace"], None),
    ("reverse", &["list"], None),
    ("sensitive", &["value"], None),
    ("setintersection", &["first_set"], Some("other_sets")),
    ("setproduct", &[], Some("sets")),
    ("setsubtract", &["a", "b"], None),
    ("setunion", &["first_set"], Some("other_sets")),
    ("sha1", &["str"], None),
    ("sha256", &["str"], None),
    ("sha512", &["str"], None),
    ("signum", &["num"], None),
    ("slice", &["list", "start_index", "end_index"], None),
    ("sort", &["list"], None),
    ("split", &["separator", "str"], None),
    ("startswith", &["str", "prefix"], None),
    ("strcontains", &["str", "substr"], None),
    ("strrev", &["str"], None),
    ("substr", &["str", "offset", "length"], None),
    ("sum", &["list"], None),
    ("templatefile", &["path", "vars"], None),
    ("templatestring", &["template", "vars"], None),
    ("textdecodebase64", &["source", "encoding"], None),
    ("textencodebase64", &["string", "encoding"], None),
    ("timeadd", &["timestamp", "duration"], None),
    ("timecmp", &["timestamp_a", "timestamp_b"], None),
    ("timestamp", &[], None),
    ("title", &["str"], None),
    ("tobool", &["v"], None),
    ("tolist", &["v"], None),
    ("tomap", &["v"], None),
    ("tonumber", &["v"], None),
    ("toset", &["v"], None),
    ("tostring", &["v"], None),
    ("transpose", &["values"], None),
    ("trim", &["str", "cutset"], None),
    ("trimprefix", &["str", "prefix"], None),
    ("trimspace", &["str"], None),
    ("trimsuffix", &["str", "suffix"], None),
    ("try", &[], Some("expressions")),
    ("upper", &["str"], None),
    ("urlencode", &["str"], None),
    ("uuid", &[], None),
    ("uuidv5", &["namespace", "name"], None),
    ("values", &["mapping"], None),
    ("yamldecode", &["src"], None),
    ("yamlencode", &["value"], None),
    ("zipmap", &["keys", "values"], None),
];

/// The name of the parameter that argument `index` (0-based) of `func` binds to: the
/// variadic parameter for every argument past the fixed ones.
pub fn param_name(func: &str, index: usize) -> Option<&'static str> {
    let i = PARAMS.binary_search_by(|(n, _, _)| n.cmp(&func)).ok()?;
    let (_, fixed, variadic) = PARAMS[i];
    fixed.get(index).copied().or(variadic)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recorded parameter names (testdata/record_funcargs.py).
    fn recorded() -> serde_json::Value {
        let text = include_str!("../../../testdata/funcargs-terraform-1.11.json");
        serde_json::from_str(text).expect("recorded JSON")
    }

    #[test]
    fn parameter_names_are_terraforms_for_every_function() {
        let rec = recorded();
        assert!(PARAMS.windows(2).all(|w| w[0].0 < w[1].0), "PARAMS sorted");
        for name in super::super::names() {
            let tf = &rec["params"][name];
            assert!(tf.is_object(), "{name}: not a Terraform function");
            let (_, fixed, variadic) = PARAMS
                .iter()
                .find(|(n, _, _)| n == name)
                .unwrap_or_else(|| panic!("{name}: no parameter names"));
            let tf_fixed: Vec<&str> = tf["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            assert_eq!(fixed.to_vec(), tf_fixed, "{name}");
            assert_eq!(*variadic, tf["variadic"].as_str(), "{name}");
        }
        assert_eq!(PARAMS.len(), super::super::names().len());
    }

    #[test]
    fn variadic_arguments_bind_to_the_variadic_parameter() {
        assert_eq!(param_name("cidrsubnet", 1), Some("newbits"));
        assert_eq!(param_name("join", 0), Some("separator"));
        assert_eq!(param_name("join", 3), Some("lists"));
        assert_eq!(param_name("upper", 1), None);
        assert_eq!(param_name("nope", 0), None);
    }
}
