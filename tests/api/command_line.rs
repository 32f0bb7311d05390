//! The command line as a newcomer meets it: a failed start says what is
//! wrong in one line with the fix, and leaves nothing behind.

use crate::process::BIN;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `xietong` with `args` in `dir`, with no inherited configuration.
fn xietong(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.current_dir(dir).args(args);
    for (name, _) in std::env::vars() {
        if name == "DATABASE_URL" || name.starts_with("XIETONG_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    command.output().expect("run xietong")
}

/// Standard error of a failed run, asserting it failed with exactly one `error:` line.
fn one_error_line(output: &Output) -> String {
    assert!(!output.status.success(), "expected a failure");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line expected:\n{stderr}");
    assert!(!stderr.contains("Caused by"), "{stderr}");
    errors[0].to_owned()
}

/// Files in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn an_unknown_database_url_lists_the_accepted_forms_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = xietong(dir.path(), &["--bind", "127.0.0.1:0"], &[("DATABASE_URL", "mysql://root@localhost/x")]);
    let line = one_error_line(&output);
    assert!(line.contains("accepted forms") && line.contains("sqlite://FILE?mode=rwc"), "{line}");
    assert!(line.contains("postgres://"), "{line}");
    assert_eq!(files_in(dir.path()), Vec::<String>::new(), "nothing may be written when start-up fails");
}

#[test]
fn a_missing_sqlite_file_without_mode_rwc_names_the_path_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let output = xietong(dir.path(), &["--bind", "127.0.0.1:0"], &[("DATABASE_URL", "sqlite://x.db")]);
    let line = one_error_line(&output);
    assert!(line.contains("x.db") && line.contains("mode=rwc"), "{line}");
    assert!(!line.contains("code 14"), "{line}");
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn refused_postgres_connections_are_called_refused() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/xietong");
    let output = xietong(dir.path(), &["--bind", "127.0.0.1:0"], &[("DATABASE_URL", &url)]);
    let line = one_error_line(&output);
    assert!(line.contains("refused") && line.contains(&port.to_string()), "{line}");
    assert!(!line.contains("pool timed out"), "{line}");
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn bind_problems_are_found_before_any_database_work() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = xietong(dir.path(), &["--bind", &address], &[]);
    let line = one_error_line(&output);
    assert!(line.contains("in use") && line.contains(&address), "{line}");
    assert_eq!(files_in(dir.path()), Vec::<String>::new(), "no database may be created before binding");

    let output = xietong(dir.path(), &["--bind", "not-an-address"], &[]);
    let line = one_error_line(&output);
    assert!(line.contains("not-an-address") && line.contains("127.0.0.1:8080"), "{line}");
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn an_unknown_department_gets_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = xietong(dir.path(), &["seed"], &[]);
    assert!(seeded.status.success(), "seed failed: {}", String::from_utf8_lossy(&seeded.stderr));

    // Part of an alias (区发改委): the containing names are offered.
    let output = xietong(dir.path(), &["token", "issue", "--dept", "发改委", "--role", "READER"], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("did you mean"), "{stderr}");
    assert!(stderr.contains("发展改革委"), "{stderr}");

    // One character off (局 for 委).
    let output = xietong(dir.path(), &["token", "issue", "--dept", "区发改局", "--role", "READER"], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("did you mean") && stderr.contains("发展改革委"), "{stderr}");
}

#[test]
fn help_texts_say_where_the_dataset_comes_from() {
    let dir = tempfile::tempdir().unwrap();
    let output = xietong(dir.path(), &["seed", "--help"], &[]);
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("built into this binary"), "{help}");
    assert!(!help.contains("data/sources"), "{help}");
}

#[test]
fn token_issue_link_prints_a_sign_in_link_with_a_short_lived_token_in_the_fragment() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = xietong(dir.path(), &["seed"], &[]);
    assert!(seeded.status.success(), "seed failed: {}", String::from_utf8_lossy(&seeded.stderr));
    let output = xietong(
        dir.path(),
        &[
            "token",
            "issue",
            "--dept",
            "静海区发展改革委",
            "--role",
            "bureau",
            "--link",
            "--base-url",
            "https://x.example/",
        ],
        &[],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let token = stdout.trim().strip_prefix("https://x.example/report#token=").unwrap_or_else(|| panic!("{stdout}"));
    let payload = token.split('.').nth(1).unwrap();
    use base64::Engine as _;
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 30 * 60, "a link's token lives 30 minutes by default: {claims}");

    let output = xietong(
        dir.path(),
        &["token", "issue", "--dept", "静海区发展改革委", "--role", "reader", "--link", "dashboard"],
        &[],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("http://127.0.0.1:8080/dashboard#token=ey"), "{stdout}");
}

#[tokio::test]
async fn import_tasks_from_the_command_line_is_a_dry_run_until_apply_and_names_a_misspelt_unit() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let dir = tempfile::tempdir().unwrap();
    let seeded = xietong(dir.path(), &["seed"], &[]);
    assert!(seeded.status.success(), "seed failed: {}", String::from_utf8_lossy(&seeded.stderr));
    let url = format!("sqlite://{}?mode=rw", dir.path().join("xietong.db").display());
    let db = sea_orm::Database::connect(&url).await.unwrap();
    let plan = entity::plan::Entity::find()
        .filter(entity::plan::Column::Title.eq("天津市静海区碳达峰实施方案"))
        .one(&db)
        .await
        .unwrap()
        .expect("the Jinghai plan");
    db.close().await.unwrap();
    let plan = xietong::ids::to_global(xietong::ids::NodeKind::Plan, &plan.id).0;
    let table = |lead: &str| {
        format!("序号,重点任务,牵头单位,配合单位,完成时限\n九.（一）,命令行导入的任务,{lead},静海区城市管理委,2026年\n")
    };
    std::fs::write(dir.path().join("good.csv"), table("静海区发展改革委")).unwrap();
    std::fs::write(dir.path().join("bad.csv"), table("区发改局")).unwrap();
    let import = |file: &str, extra: &[&str]| {
        let mut args =
            vec!["import", "tasks", "--plan", &plan, file, "--dept", "静海区人民政府", "--role", "coordinator"];
        args.extend_from_slice(extra);
        let output = xietong(dir.path(), &args, &[]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
        (output, report)
    };

    let (output, report) = import("good.csv", &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!((report["created"].as_u64(), report["applied"].as_bool()), (Some(1), Some(false)), "{report:#}");
    let (_, report) = import("good.csv", &["--apply"]);
    assert_eq!((report["created"].as_u64(), report["applied"].as_bool()), (Some(1), Some(true)), "{report:#}");
    let (_, report) = import("good.csv", &["--apply"]);
    assert_eq!(report["unchanged"].as_u64(), Some(1), "the same table again changes nothing: {report:#}");

    let (output, report) = import("bad.csv", &["--apply"]);
    assert!(!output.status.success(), "a refused row fails the command");
    assert_eq!(report["rows"][0]["cell"], "C2", "{report:#}");
    assert!(report["rows"][0]["message"].as_str().unwrap_or_default().contains("did you mean"), "{report:#}");

    let mut args =
        vec!["import", "tasks", "--plan", &plan, "good.csv", "--dept", "静海区发展改革委", "--role", "bureau"];
    args.push("--apply");
    let line = one_error_line(&xietong(dir.path(), &args, &[]));
    assert!(line.contains("COORDINATOR or ADMIN"), "{line}");
}
