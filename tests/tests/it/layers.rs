//! The model owns every query of the domain's tables: `web` and `worker` call `entities`
//! functions named for what they answer, and never build a query themselves. The worker's own
//! tables (deliveries, the job queues) are queried where the worker defines them.

use std::path::{Path, PathBuf};

/// What building or running a query needs: sea-orm's query traits and raw statements.
const QUERY_TOKENS: [&str; 16] = [
    "EntityTrait",
    "QueryFilter",
    "ColumnTrait",
    "ActiveModelTrait",
    "ModelTrait",
    "QuerySelect",
    "QueryOrder",
    "PaginatorTrait",
    "ActiveModel",
    "Entity::",
    "update_many",
    "delete_many",
    "insert_many",
    "Statement::",
    "execute_unprepared",
    "find_by_statement",
];

/// The worker's own tables: the deliveries and the apalis queues.
const ALLOWED: [&str; 3] = [
    "worker/src/deliveries.rs",
    "worker/src/queues.rs",
    "worker/src/admin.rs",
];

/// The Rust sources under `dirs` (from the workspace root), each as (its path from the root,
/// its text).
fn sources_of(dirs: &[&str]) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in dirs {
        sources(&root.join(dir), &mut files);
    }
    files
        .into_iter()
        .map(|file| {
            let name = file
                .strip_prefix(&root)
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/");
            (name, std::fs::read_to_string(&file).expect("read"))
        })
        .collect()
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn web_and_worker_run_no_query_of_their_own() {
    let files = sources_of(&["web/src", "worker/src"]);
    assert!(files.len() > 20, "the sources were found: {}", files.len());
    let mut found = Vec::new();
    for (name, text) in files {
        if ALLOWED.contains(&name.as_str()) {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for token in QUERY_TOKENS {
                if code.contains(token) {
                    found.push(format!("{name}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "queries outside the model (move them to `entities`):\n{}",
        found.join("\n")
    );
}

/// A state's stored value is written once, in its entity's enum: no query compares a state
/// column with a string of its own (`Column::Status.eq("paid")` would still compile), and no
/// SQL written by hand spells a state.
#[test]
fn no_state_is_spelled_outside_its_entity() {
    let files = sources_of(&["entities/src", "web/src", "worker/src", "templates/src"]);
    let columns = ["Status", "Kind", "Outcome", "Decision", "Level"];
    let compare = [".eq(\"", ".ne(\"", ".is_in([\"", ".is_not_in([\""];
    let sql = [
        "status IN ('",
        "status NOT IN ('",
        "status = '",
        "kind = '",
        "outcome = '",
    ];
    let mut found = Vec::new();
    for (name, text) in files {
        if name.starts_with("entities/src/entity/") {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let spelled = columns
                .iter()
                .any(|c| compare.iter().any(|op| line.contains(&format!("Column::{c}{op}"))))
                || sql.iter().any(|s| {
                    // A literal, not a value put in from the enum (`'{paid}'`).
                    line.match_indices(s)
                        .any(|(at, _)| line[at + s.len()..].starts_with(|c: char| c.is_ascii_lowercase()))
                });
            if spelled {
                found.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "states spelled outside their entity:\n{}",
        found.join("\n")
    );
}
