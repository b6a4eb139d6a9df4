//! The house rules of `docs/architecture.md`, checked on the source: the modules' imports form
//! no cycle, the engine imports nothing of the GitHub client, and only the apply step can write
//! to GitHub (it alone obtains a `Writer`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The production code of a file, without its comments: unit-test modules (a `#[cfg(test)]`
/// item to the end of the file, or a file of tests) left out.
fn production(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text,
    };
    // Comments (and doc links) name modules without importing them.
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`src/engine/items.rs` → `engine`).
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Top-level module → the top-level modules its production code names (`crate::x`).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let re = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in sources(&src()) {
        let from = module_of(&path);
        if from == "lib" || from == "main" {
            continue;
        }
        let code = production(&path);
        for cap in re.captures_iter(&code) {
            let to = cap[1].to_string();
            if to != from && !["UsageError", "exit_code_for"].contains(&to.as_str()) {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
        graph.entry(from).or_default();
    }
    graph
}

/// A cycle in `graph`, if there is one, as the modules along it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut found = path[i..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn modules_import_each_other_without_cycles() {
    let graph = imports();
    assert!(graph.len() > 10, "the source was read: {graph:?}");
    assert!(
        graph["engine"].contains("incident"),
        "imports are found: {graph:?}"
    );
    if let Some(found) = cycle(&graph) {
        panic!("import cycle: {}", found.join(" → "));
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    graph.get_mut("c").unwrap().clear();
    assert_eq!(cycle(&graph), None);
}

#[test]
fn the_domain_and_the_engine_know_nothing_of_the_github_client() {
    let graph = imports();
    for pure in [
        "engine",
        "incident",
        "command",
        "config",
        "postmortem",
        "render",
        "markdown",
        "report",
        "status_page",
    ] {
        let imports = &graph[pure];
        for io in ["github", "run", "dispatch", "workflow", "cli"] {
            assert!(
                !imports.contains(io),
                "`{pure}` imports `{io}`: it must stay pure ({imports:?})"
            );
        }
    }
    let command = &graph["command"];
    assert!(
        command.iter().all(|m| m == "incident"),
        "the parser depends on nothing but the domain's keywords: {command:?}"
    );
}

#[test]
fn only_the_apply_step_writes_to_github() {
    let writer = regex::Regex::new(r"\bWriter\b|\.writer\(\)").unwrap();
    let mut writing = Vec::new();
    for path in sources(&src()) {
        let rel = path
            .strip_prefix(src())
            .unwrap()
            .to_string_lossy()
            .to_string();
        if rel.starts_with("github/") {
            continue;
        }
        if writer.is_match(&production(&path)) {
            writing.push(rel);
        }
    }
    assert_eq!(writing, ["run/apply.rs"], "files that can write to GitHub");
}
