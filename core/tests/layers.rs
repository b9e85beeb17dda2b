//! The import direction of `core/src`: every module belongs to a layer, and a file may use
//! only its own layer and the layers below it. The table is the README's Layout section;
//! this test reads every `crate::…` path in `core/src/**/*.rs` (tests beside the code
//! excepted: they may reach anywhere) and fails naming the file and the import that points
//! up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, bottom first, and the modules of each (a module path names it and everything
/// inside it, unless a longer path is listed). Keep in step with the README's Layout table.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "domain",
        &[
            "phone",
            "call",
            "conversation",
            "message",
            "mms",
            "sms",
            "template",
            "outbound",
            "opt_out",
            "server_address",
            "health",
            "attachment",
            "thumbnail",
        ],
    ),
    ("settings", &["settings", "secret"]),
    ("rules", &["rules", "assistant"]),
    ("op log", &["oplog"]),
    ("store", &["store", "blobs"]),
    ("ports", &["ports"]),
    // Implementations of ports that need nothing above them: the assistant's HTTP model
    // and the evaluation that drives it.
    ("adapters", &["assistant::endpoint", "assistant::eval"]),
    ("sync protocol", &["sync::frame", "sync::session"]),
    ("engine", &["engine"]),
    ("sync nodes", &["sync"]),
    ("hosts", &["scenario"]),
    ("test hooks", &["fuzzing"]),
];

/// The table entry a module path falls under (the longest listed prefix) and its layer.
fn entry_of(path: &[String]) -> Option<(String, usize)> {
    (1..=path.len()).rev().find_map(|n| {
        let prefix = path[..n].join("::");
        LAYERS
            .iter()
            .position(|(_, modules)| modules.contains(&prefix.as_str()))
            .map(|layer| (prefix, layer))
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("core/src is readable");
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether a file is a test module beside the code (`tests.rs`, `…/tests/…`).
fn is_test_file(relative: &Path) -> bool {
    relative.file_stem().is_some_and(|s| s == "tests")
        || relative.components().any(|c| c.as_os_str() == "tests")
}

/// The module path of a file: `sync/session.rs` is `sync::session`.
fn module_of(relative: &Path) -> Vec<String> {
    relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

/// The text without `//` comments, so prose naming a module does not count as an import.
fn without_comments(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The source before its `#[cfg(test)] mod tests { … }` block, if any, which may reach
/// anywhere.
fn without_inline_tests(source: &str) -> &str {
    match source.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &source[..at],
        None => source,
    }
}

/// Every module path a source names through `crate::` or `super::`, resolved from the
/// file's own module, with the line it is on.
fn crate_paths(source: &str, own: &[String]) -> Vec<(usize, Vec<String>)> {
    let bytes = source.as_bytes();
    let mut found = Vec::new();
    for (keyword, base) in [
        ("crate::", Vec::new()),
        ("super::", own[..own.len().saturating_sub(1)].to_vec()),
    ] {
        let mut from = 0;
        while let Some(offset) = source[from..].find(keyword) {
            let start = from + offset;
            from = start + keyword.len();
            // `ringback_core::`, `$crate::` or `super::super::` are not paths from here.
            if start > 0 {
                let before = bytes[start - 1];
                if before.is_ascii_alphanumeric() || before == b'_' || before == b'$' {
                    continue;
                }
                if before == b':' {
                    continue;
                }
            }
            let line = source[..start].matches('\n').count() + 1;
            let rest = &source[from..];
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a::x, b::{y, z}}`: the path of each item at depth one.
                let mut depth = 1;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            if depth == 2 {
                                item.push('{');
                            }
                        }
                        '}' if depth == 1 => {
                            found.push((line, path_of(&base, &item)));
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 1 => {
                            found.push((line, path_of(&base, &item)));
                            item.clear();
                        }
                        _ if depth == 1 => item.push(c),
                        _ => {}
                    }
                }
            } else {
                found.push((line, path_of(&base, rest)));
            }
        }
    }
    found.retain(|(_, path)| !path.is_empty());
    found
}

/// The module path an import names: its leading lowercase segments, after `base`.
fn path_of(base: &[String], item: &str) -> Vec<String> {
    let mut path = base.to_vec();
    let mut rest = item.trim_start();
    loop {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            break;
        }
        if name == "self" {
            break;
        }
        rest = &rest[name.len()..];
        path.push(name);
        match rest.strip_prefix("::") {
            Some(next) => rest = next,
            // The last segment may be a function or a constant rather than a module; the
            // longest-prefix lookup reads both alike.
            None => break,
        }
    }
    path
}

/// A module path, split at `::`.
type ModulePath = Vec<String>;

/// One file of `core/src`: its path, its module and what it imports (line and path).
type FileImports = (PathBuf, ModulePath, Vec<(usize, ModulePath)>);

/// Every file of `core/src` outside tests, with what it imports.
fn imports() -> Vec<FileImports> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    assert!(
        files.len() > 10,
        "found the sources under {}",
        root.display()
    );
    files
        .into_iter()
        .filter_map(|file| {
            let relative = file.strip_prefix(&root).expect("under src").to_path_buf();
            if is_test_file(&relative) || relative == Path::new("lib.rs") {
                return None;
            }
            let own = module_of(&relative);
            let source = std::fs::read_to_string(&file).expect("a readable source");
            let source = without_comments(&source);
            let paths = crate_paths(without_inline_tests(&source), &own);
            Some((relative, own, paths))
        })
        .collect()
}

#[test]
fn no_module_imports_a_higher_layer() {
    let mut problems = Vec::new();
    for (relative, own, paths) in imports() {
        let Some((own_entry, own_layer)) = entry_of(&own) else {
            problems.push(format!(
                "{}: module `{}` is in no layer of core/tests/layers.rs",
                relative.display(),
                own.join("::")
            ));
            continue;
        };
        for (line, path) in paths {
            match entry_of(&path) {
                Some((_, layer)) if layer <= own_layer => {}
                Some((entry, layer)) => problems.push(format!(
                    "{}:{line}: `{own_entry}` ({}) imports `crate::{}` (`{entry}`, {}), a higher layer",
                    relative.display(),
                    LAYERS[own_layer].0,
                    path.join("::"),
                    LAYERS[layer].0,
                )),
                None => problems.push(format!(
                    "{}:{line}: imports `crate::{}`, which is in no layer",
                    relative.display(),
                    path.join("::")
                )),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "imports against the layer order (README, Layout; core/tests/layers.rs):\n{}",
        problems.join("\n")
    );
}

/// Within one layer, modules must not import each other in a circle either.
#[test]
fn no_cycles_between_modules() {
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (relative, own, paths) in imports() {
        let Some((own_entry, _)) = entry_of(&own) else {
            continue;
        };
        for (line, path) in paths {
            if let Some((entry, _)) = entry_of(&path)
                && entry != own_entry
            {
                edges
                    .entry(own_entry.clone())
                    .or_default()
                    .entry(entry)
                    .or_insert_with(|| format!("{}:{line}", relative.display()));
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeMap<String, String>>,
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            return Some(path[at..].to_vec());
        }
        if done.iter().any(|n| n == node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flat_map(|e| e.keys()) {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(node.to_owned());
        None
    }
    let mut done = Vec::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, &edges, &mut Vec::new(), &mut done) {
            let steps: Vec<String> = cycle
                .iter()
                .zip(cycle.iter().cycle().skip(1))
                .map(|(from, to)| format!("{from} -> {to} ({})", edges[from][to]))
                .collect();
            panic!("modules import in a circle:\n{}", steps.join("\n"));
        }
    }
}

#[test]
fn the_reader_sees_grouped_nested_and_relative_imports() {
    let own: Vec<String> = ["sync", "replica"].map(String::from).to_vec();
    let found = crate_paths(
        "use crate::{\n    store::{A, B},\n    oplog::op::Op,\n};\nuse super::session::Hello;\nuse super::{X, Y};\nfn f() { crate::engine::x(); ringback_core::sync::y(); }",
        &own,
    );
    let paths: Vec<String> = found.iter().map(|(_, p)| p.join("::")).collect();
    assert_eq!(
        paths,
        [
            "store",
            "oplog::op",
            "engine::x",
            "sync::session",
            "sync",
            "sync"
        ]
    );
    assert_eq!(
        entry_of(&paths_of("sync::session::run")),
        Some(("sync::session".into(), 7))
    );
    assert_eq!(entry_of(&paths_of("sync::node")), Some(("sync".into(), 9)));
}

#[test]
fn an_upward_import_is_named() {
    // The check itself: the store importing the engine would be refused.
    let store = paths_of("store::tx");
    let engine = paths_of("engine::service");
    let (_, store_layer) = entry_of(&store).expect("the store has a layer");
    let (_, engine_layer) = entry_of(&engine).expect("the engine has a layer");
    assert!(engine_layer > store_layer);
}

fn paths_of(path: &str) -> Vec<String> {
    path.split("::").map(String::from).collect()
}

/// A file of `core/src` over 600 lines (tests beside the code excepted) says at its top why
/// it stays one file: `// Over 600 lines, one concept: …`.
#[test]
fn long_files_say_why() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut silent = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&root).expect("under src").to_path_buf();
        if is_test_file(&relative) {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("a readable source");
        let lines = source.lines().count();
        if lines > 600 && !source.starts_with("// Over 600 lines") {
            silent.push(format!("{} ({lines} lines)", relative.display()));
        }
    }
    assert!(
        silent.is_empty(),
        "split these by concept, or say at the top why not (// Over 600 lines, …):\n{}",
        silent.join("\n")
    );
}
