//! The command line: every mode starts here.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::engine::declare::{DEFAULT_DECLARER, Request};
use crate::github::{self, GitHub};
use crate::render::{self, names};
use crate::run::report::{DryRunView, PlanView};
use crate::run::{self, Mode, Outcome};
use crate::workflow::{self, ActionEnv, console};
use crate::{UsageError, demo, doctor, init, report_cmd, status_page_cmd, timeline_cmd};

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
    Action {
        #[command(flatten)]
        plan: PlanFlags,
    },
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
        #[command(flatten)]
        plan: PlanFlags,
    },
    /// Reconcile every open incident (the scheduled sweep).
    Sweep {
        #[arg(long)]
        repo: Option<String>,
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(flatten)]
        plan: PlanFlags,
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
    /// Report on the incidents of a period: counts by severity and week, time to acknowledge,
    /// mitigate and resolve, postmortems and action items (markdown with charts, or JSON).
    Report {
        /// How far back, e.g. 30d, 12w (default: `report.since`, 90d).
        #[arg(long)]
        since: Option<String>,
        #[arg(long, value_enum, default_value = "markdown")]
        format: Format,
        /// Repository `owner/name` (default: GITHUB_REPOSITORY).
        #[arg(long)]
        repo: Option<String>,
        /// Config file (default: as for `declare`).
        #[arg(long, env = "FIREBREAK_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Write the public status site (index.html, feed.atom, api/v2/summary.json) into a
    /// directory, from what was marked public: public updates and public postmortems.
    StatusPage {
        /// Folder to write the site into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// The page's name (default: "Service status").
        #[arg(long, env = "FIREBREAK_STATUS_PAGE_TITLE")]
        title: Option<String>,
        /// Where the site is published (default: https://<owner>.github.io/<name>/).
        #[arg(long, env = "FIREBREAK_STATUS_PAGE_URL")]
        url: Option<String>,
        /// Repository `owner/name` (default: GITHUB_REPOSITORY).
        #[arg(long)]
        repo: Option<String>,
        /// Config file (default: as for `declare`).
        #[arg(long, env = "FIREBREAK_CONFIG")]
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
        /// Write only the workflow that publishes the public status page to GitHub Pages.
        #[arg(long, conflicts_with = "app")]
        status_page: bool,
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
    /// The Projects (v2) board named by `board:` (docs/board.md).
    Board {
        #[command(subcommand)]
        command: BoardCommand,
    },
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Run the GitHub App: a webhook server for every repository the App is installed on,
    /// configured by the environment (FIREBREAK_APP_ID, FIREBREAK_PRIVATE_KEY or
    /// FIREBREAK_PRIVATE_KEY_PATH, FIREBREAK_WEBHOOK_SECRET, FIREBREAK_LISTEN; see docs/app.md).
    Serve,
    /// GitHub App tools.
    App {
        #[command(subcommand)]
        command: AppCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BoardCommand {
    /// Reconcile the whole board once: add every incident, postmortem and action item that
    /// is missing and set every field back to what the issues say. The board's token is
    /// FIREBREAK_BOARD_TOKEN (or the App installation's).
    Sync {
        /// Read and decide, print what would be written, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Repository `owner/name` (default: GITHUB_REPOSITORY).
        #[arg(long)]
        repo: Option<String>,
        /// Config file (default: as for `declare`).
        #[arg(long, env = "FIREBREAK_CONFIG")]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Print the GitHub App manifest that registers Firebreak (docs/app.md).
    Manifest {
        /// Where GitHub sends webhooks, e.g. https://firebreak.example.com/webhook.
        #[arg(long)]
        webhook_url: String,
        /// The App's name on GitHub.
        #[arg(long, default_value = "Firebreak")]
        name: String,
        /// The App's homepage.
        #[arg(long, default_value = "https://github.com/firebreak-dev/firebreak")]
        url: String,
        /// Where GitHub sends the browser back with the code to convert into the App's
        /// credentials.
        #[arg(long)]
        redirect_url: Option<String>,
        /// Also ask for the organization's Projects (read and write), for a board
        /// (`board:`): the App then writes it with its own tokens.
        #[arg(long)]
        board: bool,
    },
}

/// `--dry-run` and its report's format.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct PlanFlags {
    /// Read and decide, print every write the run would make, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The dry run's report: markdown for people, JSON for scripts.
    #[arg(long, value_enum, default_value = "markdown", requires = "dry_run")]
    pub format: Format,
}

impl PlanFlags {
    fn mode(self) -> Mode {
        if self.dry_run {
            Mode::DryRun
        } else {
            Mode::Apply
        }
    }
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
    let token = github::token_from_env()
        .ok_or_else(|| UsageError("no token: set FIREBREAK_TOKEN or GITHUB_TOKEN".into()))?;
    let client = GitHub::with_token(&github::api_url_from_env(), &token, &repo)?;
    Ok(match github::bot_login_from_env() {
        Some(login) => client.with_identity(login),
        None => client,
    })
}

async fn cli_config(github: &GitHub, config: Option<PathBuf>) -> anyhow::Result<Config> {
    run::config::load_config(github, &std::env::current_dir()?, config.as_deref()).await
}

/// Prints a dry run's plans (markdown or JSON).
fn print_plans(outcome: &Outcome, format: Format) -> anyhow::Result<()> {
    let view = DryRunView {
        plans: outcome.plans.iter().map(PlanView::new).collect(),
        notes: if outcome.plans.is_empty() {
            outcome.notes.clone()
        } else {
            Vec::new()
        },
    };
    match format {
        Format::Markdown => console::out_raw(&render::render(names::DRY_RUN, &view)),
        Format::Json => console::out(&serde_json::to_string_pretty(&view)?),
    }
    Ok(())
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Commands::Action { plan } => {
            let env = ActionEnv::from_env()?;
            let outcome = workflow::run(&env, plan.mode()).await?;
            if plan.dry_run {
                print_plans(&outcome, plan.format)?;
            } else {
                for note in &outcome.notes {
                    console::out(note);
                }
            }
            workflow::fail_on_failures(&outcome, std::env::var_os("GITHUB_ACTIONS").is_some())?;
        }
        Commands::Declare {
            sev,
            title,
            body,
            fingerprint,
            repo,
            config,
            plan,
        } => {
            let github = cli_github(repo)?;
            let config = cli_config(&github, config).await?;
            let request = Request {
                title,
                severity: sev,
                body,
                fingerprint,
                by: DEFAULT_DECLARER.into(),
            };
            let outcome =
                run::declare::declare(&github, &config, &request, chrono::Utc::now(), plan.mode())
                    .await?;
            if plan.dry_run {
                return print_plans(&outcome, plan.format);
            }
            if let Some(n) = outcome.issue {
                console::out(&n.to_string());
            }
            for note in &outcome.notes {
                console::err(note);
            }
            workflow::fail_on_failures(&outcome, std::env::var_os("GITHUB_ACTIONS").is_some())?;
        }
        Commands::Sweep { repo, config, plan } => {
            let github = cli_github(repo)?;
            let config = cli_config(&github, config).await?;
            let outcome =
                run::sweep::sweep(&github, &config, chrono::Utc::now(), plan.mode()).await?;
            if plan.dry_run {
                print_plans(&outcome, plan.format)?;
            } else {
                for note in &outcome.notes {
                    console::out(note);
                }
                for due in &outcome.due {
                    console::out(&format!("due next: {due}"));
                }
            }
            workflow::fail_on_failures(&outcome, std::env::var_os("GITHUB_ACTIONS").is_some())?;
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
                console::err(note);
            }
            match format {
                Format::Markdown => console::out_raw(&timeline.markdown(&config)),
                Format::Json => console::out_raw(&timeline.json(&config)),
            }
        }
        Commands::Report {
            since,
            format,
            repo,
            config,
        } => {
            let period = report_cmd::parse_since(since.as_deref())?;
            let github = cli_github(repo)?;
            let config = cli_config(&github, config).await?;
            let period = period.unwrap_or(config.report.since);
            let report = report_cmd::fetch(&github, &config, chrono::Utc::now(), period).await?;
            let markdown = crate::report::markdown(&report, &config);
            match format {
                Format::Markdown => console::out_raw(&markdown),
                Format::Json => console::out_raw(&report_cmd::json(&report)),
            }
            workflow::append_summary(&markdown)?;
        }
        Commands::StatusPage {
            out,
            title,
            url,
            repo,
            config,
        } => {
            let github = cli_github(repo)?;
            let site = status_page_cmd::site(github.repo(), title, url)?;
            let config = cli_config(&github, config).await?;
            let files = status_page_cmd::fetch(&github, &config, chrono::Utc::now(), &site).await?;
            for path in status_page_cmd::write(&out, &files)? {
                console::out(&format!("wrote {}", path.display()));
            }
        }
        Commands::Demo { out } => {
            let written = demo::run(&out).await.context("running the demo")?;
            println!("The demo played a SEV1 incident against an in-memory GitHub.");
            println!("What a user would see is in {}:", out.display());
            for file in &written {
                println!("  {}", file.display());
            }
            // The board the demo kept in step, as a table.
            if let Some(board) = written.iter().find(|f| f.ends_with("board.md")) {
                println!();
                console::out_raw(&std::fs::read_to_string(board)?);
            }
        }
        Commands::Init {
            path,
            force,
            app,
            status_page,
        } => {
            if status_page {
                console::out_raw(&status_page_cmd::init(&path, force)?);
            } else {
                let mode = if app {
                    init::Mode::App
                } else {
                    init::Mode::Action
                };
                print!("{}", init::init(&path, force, mode)?.render());
            }
        }
        Commands::Doctor { repo, config } => {
            let github = cli_github(repo)?;
            let options = doctor::Options {
                checkout: std::env::current_dir()?,
                config,
                board_token: std::env::var("FIREBREAK_BOARD_TOKEN")
                    .ok()
                    .filter(|t| !t.trim().is_empty()),
            };
            let report = doctor::run(&github, &options).await;
            console::out_raw(&report.render());
            report.result()?;
        }
        Commands::Board {
            command:
                BoardCommand::Sync {
                    dry_run,
                    repo,
                    config,
                },
        } => {
            let github = cli_github(repo)?;
            let config = cli_config(&github, config).await?;
            let token = std::env::var("FIREBREAK_BOARD_TOKEN").ok();
            let client = run::board::board_client(&github, token.as_deref())?;
            let mode = if dry_run { Mode::DryRun } else { Mode::Apply };
            let synced = run::board::sync(&github, client.as_ref(), &config, mode).await?;
            console::out_raw(&synced.text);
        }
        Commands::Config {
            command: ConfigCommand::Check { path },
        } => {
            let summary = crate::config::check(&path)?;
            console::out(&summary.to_string());
        }
        Commands::Serve => {
            let settings = crate::app::settings::Settings::from_env()?;
            crate::app::serve(settings).await?;
        }
        Commands::App {
            command:
                AppCommand::Manifest {
                    webhook_url,
                    name,
                    url,
                    redirect_url,
                    board,
                },
        } => {
            let manifest = crate::app::manifest::manifest(&crate::app::manifest::ManifestOptions {
                name,
                webhook_url,
                url,
                redirect_url,
                board,
            });
            println!("{}", serde_json::to_string_pretty(&manifest)?);
        }
    }
    Ok(())
}
