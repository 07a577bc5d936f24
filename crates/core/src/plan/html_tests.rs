use super::*;
use crate::plan::{OutputChange, Plan};

fn change(
    address: &str,
    action: Action,
    before: Option<Value>,
    after: Option<Value>,
) -> ResourceChange {
    ResourceChange::of(address, action, before, after)
}

fn plan(changes: Vec<ResourceChange>, outputs: Vec<OutputChange>) -> Plan {
    Plan {
        output_changes: outputs,
        ..Plan::of_changes(changes)
    }
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<Vec<_>>(),
    )
}

/// vpc <- subnet <- nat, vpc <- sg (unchanged), and a resource gone from the configuration.
fn sample() -> (Plan, PlanGraph) {
    let mut replace = change(
        "aws_subnet.a",
        Action::DeleteThenCreate,
        Some(obj(&[("cidr", Value::from("10.0.1.0/24"))])),
        Some(obj(&[("cidr", Value::from("10.0.9.0/24"))])),
    );
    replace.replace_paths = vec!["cidr".into()];
    let mut gone = change(
        "aws_nat_gateway.n",
        Action::Create,
        None,
        Some(obj(&[("id", Value::Unknown(crate::lang::Type::String))])),
    );
    gone.reason = Some(Reason::DeletedOutside);
    let changes = vec![
        change(
            "aws_vpc.v",
            Action::Update,
            Some(obj(&[("token", Value::from("old-secret").sensitive())])),
            Some(obj(&[("token", Value::from("new-secret").sensitive())])),
        ),
        replace,
        gone,
        change("aws_security_group.s", Action::NoOp, None, None),
        change(
            "aws_eip.old",
            Action::Delete,
            Some(obj(&[("id", Value::from("eip-1"))])),
            None,
        ),
    ];
    let outputs = vec![OutputChange {
        name: "password".into(),
        action: Action::Create,
        before: None,
        after: Some(Value::from("p4ss")),
        sensitive: true,
    }];
    let graph = PlanGraph {
        nodes: [
            "aws_vpc.v",
            "aws_subnet.a",
            "aws_nat_gateway.n",
            "aws_security_group.s",
        ]
        .map(String::from)
        .to_vec(),
        deps: vec![vec![], vec![0], vec![1], vec![0]],
        change_node: vec![Some(0), Some(1), Some(2), Some(3), None],
    };
    (plan(changes, outputs), graph)
}

#[test]
fn the_page_colours_nodes_by_action_numbers_waves_and_keeps_drift_apart() {
    let (p, g) = sample();
    let html = render_html(&p, &g, "examples/hub");
    for (addr, action) in [
        ("aws_vpc.v", "update"),
        ("aws_subnet.a", "replace"),
        ("aws_nat_gateway.n", "create"),
        ("aws_security_group.s", "unchanged"),
        ("aws_eip.old", "delete"),
    ] {
        let want = format!("data-address=\"{addr}\" data-action=\"{action}\"");
        assert!(html.contains(&want), "no {want}");
    }
    // Waves follow dependencies: vpc 1, subnet 2, nat 3; the unchanged group and the destroy have none.
    for (addr, wave) in [
        ("aws_vpc.v", 1),
        ("aws_subnet.a", 2),
        ("aws_nat_gateway.n", 3),
    ] {
        let at = html.find("<g class=\"node").expect("nodes");
        let node = html[at..]
            .split("<g ")
            .find(|g| g.contains(&format!("data-address=\"{addr}\"")))
            .expect(addr);
        assert!(
            node.contains(&format!("data-wave=\"{wave}\"")),
            "{addr}: {node}"
        );
    }
    assert!(html.contains("<li>Wave 2: <code>aws_subnet.a</code></li>"));
    assert!(html.contains("Destroyed, each after what depends on it: <code>aws_eip.old</code>"));
    assert!(html.contains("forces replacement: <code>cidr</code>"));
    assert!(html
        .contains("<code>&quot;10.0.1.0/24&quot;</code> → <code>&quot;10.0.9.0/24&quot;</code>"));
    let drift = &html[html.find("class=\"drift\"").expect("drift section")..];
    assert!(
        drift.contains(
            "<code>aws_nat_gateway.n</code>: it was deleted outside hubctl; the plan creates it"
        ),
        "{drift}"
    );
    assert!(html.matches("class=\"node create drifted\"").count() == 1);
    // Edges run from a dependency to what uses it.
    assert!(html.contains("data-from=\"aws_vpc.v\" data-to=\"aws_subnet.a\""));
}

#[test]
fn no_secret_reaches_the_page() {
    let (p, g) = sample();
    let html = render_html(&p, &g, "x");
    for secret in ["old-secret", "new-secret", "p4ss"] {
        assert!(!html.contains(secret), "{secret} in the page");
    }
    assert!(html.contains("<code>token</code>: <em>(sensitive value)</em>"));
    assert!(html.contains("<code>password</code> (create): <em>(sensitive value)</em>"));
}

#[test]
fn names_and_values_are_escaped() {
    let mut c = change(
        "aws_vpc.v[\"<b>\"]",
        Action::Create,
        None,
        Some(obj(&[("name", Value::from("</code><script>x</script>"))])),
    );
    c.resource = "aws_vpc.v".into();
    let g = PlanGraph {
        nodes: vec!["aws_vpc.v".into()],
        deps: vec![vec![]],
        change_node: vec![Some(0)],
    };
    let html = render_html(&plan(vec![c], vec![]), &g, "<root>");
    assert!(!html.contains("<script>x"), "unescaped value");
    assert!(!html.contains("<b>"), "unescaped address");
    assert!(html.contains("&lt;root&gt;"));
}

#[test]
fn a_tree_page_has_one_part_per_unit_and_the_total_on_top() {
    let (p, g) = sample();
    let one = PlanGraph {
        nodes: vec!["aws_vpc.v".into()],
        deps: vec![vec![]],
        change_node: vec![Some(0)],
    };
    let q = plan(
        vec![change("aws_vpc.v", Action::Create, None, Some(obj(&[])))],
        vec![],
    );
    let parts = [
        PagePart {
            unit: Some("live/dev/network"),
            plan: &q,
            graph: &one,
        },
        PagePart {
            unit: Some("live/dev/eks"),
            plan: &p,
            graph: &g,
        },
    ];
    let html = render_page("live/dev", &parts);
    // network: 1 to add; eks: 2 to add (replace + create), 1 change, 2 destroy (replace + delete).
    assert!(
        html.contains("<p id=\"summary\">Plan: 3 to add, 1 to change, 2 to destroy.</p>"),
        "{html}"
    );
    let network = html
        .find("data-unit=\"live/dev/network\"")
        .expect("network part");
    let eks = html.find("data-unit=\"live/dev/eks\"").expect("eks part");
    assert!(network < eks);
    assert_eq!(html.matches("<svg ").count(), 2);
}
