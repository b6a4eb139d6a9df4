//! `firebreak serve`'s settings and `firebreak app manifest`, as the binary runs them.

use std::process::Command;

use crate::support;

fn serve(env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(support::binary());
    command.arg("serve").env_clear();
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the binary runs")
}

#[test]
fn missing_or_malformed_settings_exit_2_naming_the_variable_before_binding() {
    // Hold a port: a server that bound before checking would fail to listen instead.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = held.local_addr().unwrap().to_string();
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("FIREBREAK_LISTEN", &listen)],
            "FIREBREAK_APP_ID is not set",
        ),
        (
            &[
                ("FIREBREAK_LISTEN", &listen),
                ("FIREBREAK_APP_ID", "12"),
                ("FIREBREAK_PRIVATE_KEY_PATH", super::PRIVATE_KEY),
            ],
            "FIREBREAK_WEBHOOK_SECRET is not set",
        ),
        (
            &[
                ("FIREBREAK_LISTEN", &listen),
                ("FIREBREAK_APP_ID", "12"),
                ("FIREBREAK_PRIVATE_KEY", "not a key"),
                ("FIREBREAK_WEBHOOK_SECRET", "s"),
            ],
            "FIREBREAK_PRIVATE_KEY: not an RSA private key in PEM",
        ),
        (
            &[
                ("FIREBREAK_LISTEN", "localhost"),
                ("FIREBREAK_APP_ID", "12"),
                ("FIREBREAK_PRIVATE_KEY_PATH", super::PRIVATE_KEY),
                ("FIREBREAK_WEBHOOK_SECRET", "s"),
            ],
            "FIREBREAK_LISTEN `localhost` is not an address",
        ),
    ];
    for (env, message) in cases {
        let out = serve(env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(message),
            "expected `{message}` in: {stderr}"
        );
        assert!(!stderr.contains("listening"), "{stderr}");
    }
    drop(held);
}

#[test]
fn a_port_in_use_is_a_runtime_failure_naming_firebreak_listen() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = held.local_addr().unwrap().to_string();
    let out = serve(&[
        ("FIREBREAK_LISTEN", &listen),
        ("FIREBREAK_APP_ID", "12"),
        ("FIREBREAK_PRIVATE_KEY_PATH", super::PRIVATE_KEY),
        ("FIREBREAK_WEBHOOK_SECRET", "s"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("FIREBREAK_LISTEN {listen}: cannot listen")),
        "{stderr}"
    );
}

#[test]
fn app_manifest_prints_least_privilege_permissions_and_the_events_firebreak_handles() {
    let out = Command::new(support::binary())
        .args([
            "app",
            "manifest",
            "--webhook-url",
            "https://firebreak.example.com/webhook",
            "--redirect-url",
            "https://firebreak.example.com/registered",
        ])
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!("app_manifest", manifest);
    let missing = Command::new(support::binary())
        .args(["app", "manifest"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2), "--webhook-url is required");
}
