//! The command line: every mode starts here.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};

use crate::action::{self, ActionEnv};
use crate::config::Config;
use crate::github::GitHub;
use crate::{UsageError, declare, demo, doctor, init, sweep, timeline_cmd};

#[derive(Debug, Parser)]
#[command(
    name = "firebreak",
    version,
    about = "Incident response inside GitHub: incidents as issues, driven by slash commands."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Handle the GitHub Actions event this workflow run was started for.
    Action,
    /// Open a new incident issue (an open incident with the same fingerprint gets a timeline
    /// entry instead).
    Declare {
        /// Severity: level number or name (default: the configured default, SEV2).
        #[arg(long)]
        sev: Option<String>,
        #[arg(long)]
        title: String,
        /// Text for the issue body, above Firebreak's section.
        #[arg(long, default_value = "")]
        body: String,
        /// Deduplication key, e.g. an alert id.
        #[arg(long)]
        fingerprint: Option<String>,
        /// Repository `owner/name` (default: GITHUB_REPOSITORY).
        #[arg(long)]
        repo: Option<String>,
        /// Config file (default: .github/firebreak.yml here, else in the repository).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Reconcile every open incident (the scheduled sweep).
    Sweep {
        #[arg(long)]
        repo: Option<String>,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Print an incident's whole timeline (body and overflow comments), oldest first.
    Timeline {
        /// The incident's issue number.
        issue: u64,
        #[arg(long, value_enum, default_value = "markdown")]
        format: Format,
        /// Repository `owner/name` (default: GITHUB_REPOSITORY).
        #[arg(long)]
        repo: Option<String>,
        /// Config file, for the time zone and severity names (default: as for `declare`).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Play a whole SEV1 incident against an in-memory GitHub and write what a user would see.
    Demo {
        /// Folder for the resulting issues as markdown files.
        #[arg(long, default_value = "firebreak-demo")]
        out: PathBuf,
    },
    /// Write a starter config, the workflow and the incident issue form into a repository.
    Init {
        /// Repository root.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Overwrite existing files (without it they are kept, and named).
        #[arg(long)]
        force: bool,
        /// App mode: the config and the issue form, no workflow; prints what the App needs.
        #[arg(long)]
        app: bool,
    },
    /// Check this repository's setup, one line each: the token's access, the labels, the
    /// config, the workflow's triggers and permissions, the issue form, branch protection and
    /// the board token. Exit code 1 when something needs a fix.
    Doctor {
        /// Repository `owner/name` (default: GITHUB_REPOSITORY).
        #[arg(long)]
        repo: Option<String>,
        /// Config file (default: .github/firebreak.yml here, else in the repository).
        #[arg(long, env = "FIREBREAK_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a config file; errors name the file, line and key.
    Check {
        #[arg(default_value = ".github/firebreak.yml")]
        path: PathBuf,
    },
}

/// A client for the CLI: token and repository from flags or the environment.
fn cli_github(repo: Option<String>) -> anyhow::Result<GitHub> {
    let repo = repo
        .or_else(|| std::env::var("GITHUB_REPOSITORY").ok())
        .ok_or_else(|| {
            UsageError("no repository: pass --repo owner/name or set GITHUB_REPOSITORY".into())
        })?;
    let token = action::token_from_env()
        .ok_or_else(|| UsageError("no token: set FIREBREAK_TOKEN or GITHUB_TOKEN".into()))?;
    GitHub::with_token(&action::api_url_from_env(), &token, &repo)
}

async fn cli_config(github: &GitHub, config: Option<PathBuf>) -> anyhow::Result<Config> {
    action::load_config(github, &std::env::current_dir()?, config.as_deref()).await
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Commands::Action => {
            let env = ActionEnv::from_env()?;
            let outcome = action::run(&env).await?;
            for note in &outcome.notes {
                println!("{note}");
            }
        }
        Commands::Declare {
            sev,
            title,
            body,
            fingerprint,
            repo,
            config,
        } => {
            let github = cli_github(repo)?;
            let config = cli_config(&github, config).await?;
            let request = declare::Request {
                title,
                severity: sev,
                body,
                fingerprint,
                by: declare::DEFAULT_DECLARER.into(),
            };
            let outcome = declare::declare(&github, &config, &request, chrono::Utc::now()).await?;
            if let Some(n) = outcome.issue {
                println!("{n}");
            }
            for note in &outcome.notes {
                eprintln!("{note}");
            }
        }
        Commands::Sweep { repo, config } => {
            let github = cli_github(repo)?;
            let config = cli_config(&github, config).await?;
            let outcome =
                sweep::reconcile_open_incidents(&github, &config, chrono::Utc::now()).await?;
            for note in &outcome.notes {
                println!("{note}");
            }
        }
        Commands::Timeline {
            issue,
            format,
            repo,
            config,
        } => {
            let github = cli_github(repo)?;
            let config = cli_config(&github, config).await?;
            let timeline = timeline_cmd::fetch(&github, issue).await?;
            for note in &timeline.notes {
                eprintln!("{note}");
            }
            match format {
                Format::Markdown => print!("{}", timeline.markdown(&config)),
                Format::Json => print!("{}", timeline.json(&config)),
            }
        }
        Commands::Demo { out } => {
            let written = demo::run(&out).await.context("running the demo")?;
            println!("The demo played a SEV1 incident against an in-memory GitHub.");
            println!("What a user would see is in {}:", out.display());
            for file in written {
                println!("  {}", file.display());
            }
        }
        Commands::Init { path, force, app } => {
            let mode = if app {
                init::Mode::App
            } else {
                init::Mode::Action
            };
            print!("{}", init::init(&path, force, mode)?.render());
        }
        Commands::Doctor { repo, config } => {
            let github = cli_github(repo)?;
            let options = doctor::Options {
                checkout: std::env::current_dir()?,
                config,
                board_token: std::env::var_os("FIREBREAK_BOARD_TOKEN")
                    .is_some_and(|t| !t.is_empty()),
            };
            let report = doctor::run(&github, &options).await;
            print!("{}", report.render());
            report.result()?;
        }
        Commands::Config {
            command: ConfigCommand::Check { path },
        } => {
            let summary = crate::config::check(&path)?;
            println!("{summary}");
        }
    }
    Ok(())
}
