//! The README documents what the code does: its command table is generated from the command
//! language, and its CLI table names every subcommand.

use clap::CommandFactory as _;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn readme_command_table_equals_the_reference_table() {
    let readme = readme();
    let begin = readme
        .find("<!-- commands:begin")
        .expect("the README marks its command table");
    let start = begin + readme[begin..].find('\n').unwrap() + 1;
    let end = readme.find("<!-- commands:end -->").unwrap();
    assert_eq!(
        &readme[start..end],
        firebreak::command::reference_table(),
        "regenerate the README's table from command::reference_table()"
    );
    assert!(!readme.contains("COMMAND_TABLE"));
}

#[test]
fn readme_cli_table_names_every_subcommand_and_its_flags() {
    let readme = readme();
    let mut commands = Vec::new();
    for sub in firebreak::cli::Cli::command().get_subcommands() {
        if sub.has_subcommands() {
            for nested in sub.get_subcommands() {
                commands.push((
                    format!("{} {}", sub.get_name(), nested.get_name()),
                    nested.clone(),
                ));
            }
        } else {
            commands.push((sub.get_name().to_string(), sub.clone()));
        }
    }
    assert!(
        commands.iter().any(|(name, _)| name == "app manifest"),
        "nested commands are read"
    );
    for (name, sub) in commands {
        let Some(row) = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `firebreak {name}")))
        else {
            panic!("`firebreak {name}` is missing from the README's CLI table");
        };
        for flag in sub.get_arguments().filter_map(|a| a.get_long()) {
            if flag == "help" {
                continue;
            }
            assert!(
                row.contains(&format!("--{flag}")),
                "`firebreak {name} --{flag}` is missing from its row in the README: {row}"
            );
        }
    }
}

#[test]
fn readme_use_it_in_a_repository_is_three_steps() {
    let readme = readme();
    let start = readme
        .find("## Use it in a repository\n")
        .expect("the section");
    let section = &readme[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
    let steps: Vec<&str> = section[..end]
        .lines()
        .filter(|l| {
            l.split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        .collect();
    assert_eq!(steps.len(), 3, "{steps:#?}");
    assert!(steps[0].contains("**Write the files.**"), "{}", steps[0]);
    assert!(section[..end].contains("`firebreak init`"));
    assert!(section[..end].contains("firebreak doctor --repo OWNER/NAME"));
}
