use super::*;

fn config() -> BoardConfig {
    BoardConfig {
        owner: "acme".into(),
        number: 3,
        fields: Default::default(),
    }
}

fn no_options(_: Role) -> Vec<String> {
    Vec::new()
}

fn select(name: &str, options: &[&str]) -> BoardField {
    BoardField {
        id: format!("F_{name}"),
        name: name.into(),
        data_type: "SINGLE_SELECT".into(),
        options: options
            .iter()
            .map(|o| (format!("O_{o}"), o.to_string()))
            .collect(),
    }
}

fn date(name: &str) -> BoardField {
    BoardField {
        id: format!("F_{name}"),
        name: name.into(),
        data_type: "DATE".into(),
        options: Vec::new(),
    }
}

fn incident_card(number: u64, sev: &str, status: &str) -> Card {
    Card {
        number,
        kind: CardKind::Incident,
        title: "t".into(),
        values: BTreeMap::from([
            (Role::Kind, Some("Incident".into())),
            (Role::Severity, Some(sev.into())),
            (Role::Status, Some(status.into())),
        ]),
    }
}

fn full_board() -> Board {
    Board {
        project_id: "P".into(),
        fields: vec![
            select("Kind", &["Incident", "Postmortem", "Action item"]),
            select("Severity", &["SEV1", "SEV2"]),
            select("Status", &["Investigating", "Resolved"]),
            select("Priority", &["P0", "P1"]),
            date("Due"),
        ],
        ..Board::default()
    }
}

fn item(number: u64, values: &[(Role, &str)]) -> BoardItem {
    BoardItem {
        id: format!("I_{number}"),
        repo: "acme/web".into(),
        number,
        values: values.iter().map(|(r, v)| (*r, v.to_string())).collect(),
    }
}

#[test]
fn a_board_that_mirrors_the_cards_needs_no_write() {
    let mut board = full_board();
    board.items.push(item(
        7,
        &[
            (Role::Kind, "Incident"),
            (Role::Severity, "sev1"),
            (Role::Status, "Investigating"),
        ],
    ));
    let plan = plan(
        &config(),
        &no_options,
        &board,
        "acme/web",
        &[incident_card(7, "SEV1", "Investigating")],
        &|_| true,
    );
    assert!(plan.is_empty(), "{plan:?}");
    assert!(plan.problems.is_empty());
}

#[test]
fn drift_is_set_back_and_a_missing_card_is_added_only_when_asked() {
    let mut board = full_board();
    board.items.push(item(
        7,
        &[
            (Role::Kind, "Incident"),
            (Role::Severity, "SEV2"),
            (Role::Status, "Investigating"),
        ],
    ));
    let cards = [
        incident_card(7, "SEV1", "Investigating"),
        incident_card(8, "SEV2", "Resolved"),
    ];
    let p = plan(&config(), &no_options, &board, "acme/web", &cards, &|_| {
        false
    });
    assert_eq!(p.adds, Vec::<u64>::new());
    assert_eq!(p.sets.len(), 1);
    assert_eq!(
        (p.sets[0].number, p.sets[0].role, p.sets[0].value.as_deref()),
        (7, Role::Severity, Some("SEV1"))
    );
    let p = plan(&config(), &no_options, &board, "acme/web", &cards, &|_| {
        true
    });
    assert_eq!(p.adds, vec![8]);
    assert_eq!(p.sets.len(), 4, "{:?}", p.sets);
    let bound = bind(&board, &p.sets, &BTreeMap::from([(8, "I_new".to_string())]));
    assert_eq!(bound.len(), 4);
    assert_eq!(
        bound[0],
        FieldWrite {
            item: "I_7".into(),
            field: "F_Severity".into(),
            value: WriteValue::Option("O_SEV1".into())
        }
    );
}

#[test]
fn a_field_of_another_type_and_a_missing_option_are_problems_not_writes() {
    let mut board = full_board();
    board.fields[1] = BoardField {
        data_type: "TEXT".into(),
        ..select("Severity", &[])
    };
    board.items.push(item(7, &[(Role::Kind, "Incident")]));
    let p = plan(
        &config(),
        &no_options,
        &board,
        "acme/web",
        &[incident_card(7, "SEV1", "Mitigated")],
        &|_| true,
    );
    assert_eq!(
        p.problems,
        vec![
            Problem::WrongType {
                field: "Severity".into(),
                key: "severity",
                found: "TEXT".into(),
                wanted: "SINGLE_SELECT"
            },
            Problem::MissingOption {
                field: "Status".into(),
                option: "Mitigated".into()
            }
        ]
    );
    assert!(p.sets.is_empty(), "{:?}", p.sets);
}

#[test]
fn a_missing_field_is_created_with_the_options_the_cards_need() {
    let board = Board {
        fields: vec![select("Status", &["Investigating"])],
        ..Board::default()
    };
    let cards = [
        incident_card(7, "SEV1", "Investigating"),
        incident_card(8, "SEV3", "Investigating"),
    ];
    let p = plan(
        &config(),
        &|r| options(&Config::default(), r),
        &board,
        "acme/web",
        &cards,
        &|_| true,
    );
    let created: Vec<(&str, &[String])> = p
        .new_fields
        .iter()
        .map(|f| (f.name.as_str(), &f.options[..]))
        .collect();
    assert_eq!(
        created,
        [
            (
                "Kind",
                &[
                    "Incident".to_string(),
                    "Postmortem".into(),
                    "Action item".into()
                ][..]
            ),
            (
                "Severity",
                &[
                    "SEV1".to_string(),
                    "SEV2".into(),
                    "SEV3".into(),
                    "SEV4".into()
                ][..]
            ),
        ]
    );
    assert_eq!(p.adds, vec![7, 8]);
}

#[test]
fn a_due_date_removed_from_the_issue_is_cleared_on_the_board() {
    let mut board = full_board();
    board.items.push(item(
        9,
        &[(Role::Kind, "Postmortem"), (Role::Due, "2026-01-02")],
    ));
    let card = Card {
        number: 9,
        kind: CardKind::Postmortem,
        title: "pm".into(),
        values: BTreeMap::from([(Role::Kind, Some("Postmortem".into())), (Role::Due, None)]),
    };
    let p = plan(&config(), &no_options, &board, "acme/web", &[card], &|_| {
        false
    });
    let bound = bind(&board, &p.sets, &BTreeMap::new());
    assert_eq!(bound.len(), 1);
    assert_eq!(bound[0].value, WriteValue::Clear);
}

#[test]
fn items_of_other_repositories_are_not_this_repositorys_cards() {
    let mut board = full_board();
    let mut other = item(7, &[]);
    other.repo = "acme/api".into();
    board.items.push(other);
    let p = plan(
        &config(),
        &no_options,
        &board,
        "acme/web",
        &[incident_card(7, "SEV1", "Investigating")],
        &|_| false,
    );
    assert!(p.is_empty(), "{p:?}");
}
