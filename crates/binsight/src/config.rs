//! Options from a config file and `BINSIGHT_*` environment variables, under the command line:
//! command line > environment > config file > built-in default.
//!
//! Generic over the clap definition: every long option of every command gets a variable
//! (`BINSIGHT_` + its long name in upper snake case) and a config key (its long name), so
//! options added later are configurable with no code here. Values from the environment and the
//! file are checked with the option's own value parser (so an error names where the value came
//! from), then become the option's default value; clap lets the command line override them.
//!
//! `docs/configuration.md` is generated from the same walk ([`docs`]; `binsight help-config`).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, Command};

/// Options of every command.
#[derive(clap::Args, Debug)]
pub struct Global {
    /// Options from this TOML file (must exist; docs/configuration.md)
    #[arg(long, global = true, value_name = "FILE", help_heading = "Global")]
    pub config: Option<PathBuf>,
    /// Debug logs on stderr (-vv: trace; BINSIGHT_LOG refines)
    #[arg(short, long, global = true, action = ArgAction::Count, help_heading = "Global")]
    pub verbose: u8,
}

/// The file looked for in the working directory.
pub const FILE_NAME: &str = "binsight.toml";
/// Largest config file read.
const MAX_FILE: u64 = 1 << 20;
/// Commands that read neither the file nor the environment: they describe binsight itself, and
/// a broken config file must not stop them.
const META_COMMANDS: &[&str] = &["version", "completion", "help-config", "help"];
/// Options whose variable predates this scheme keep that name.
const ENV_NAMES: &[(&str, &str)] = &[("mirror", "BINSIGHT_OSV_MIRROR")];

/// The environment variable of the option with this long name.
pub fn env_name(long: &str) -> String {
    ENV_NAMES
        .iter()
        .find(|(l, _)| *l == long)
        .map(|(_, v)| v.to_string())
        .unwrap_or_else(|| format!("BINSIGHT_{}", long.to_uppercase().replace('-', "_")))
}

/// Whether the file and the environment can set `arg`.
fn configurable(arg: &Arg) -> bool {
    arg.get_long().is_some()
        && !arg.is_positional()
        && arg.get_id() != "config"
        && !matches!(
            arg.get_action(),
            ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version
        )
}

/// A boolean flag (`--audit`, `--no-sbom`): true/false in the file and the environment.
fn is_flag(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse)
}

/// A repeatable option: an array in the file, a delimited list in the environment.
fn is_list(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Append)
}

/// A command that runs (it has no subcommands), by path from the root (`["db", "update"]`),
/// with the chain of commands leading to it.
struct Leaf<'a> {
    path: Vec<String>,
    chain: Vec<&'a Command>,
}

impl<'a> Leaf<'a> {
    /// The command itself.
    fn cmd(&self) -> &'a Command {
        self.chain[self.chain.len() - 1]
    }
    /// Its configurable options: its own, and the global ones of the commands above it.
    fn options(&self) -> Vec<&'a Arg> {
        let (leaf, above) = self.chain.split_last().expect("a leaf has a command");
        let mut v: Vec<&Arg> = above.iter().flat_map(|c| c.get_arguments().filter(|a| a.is_global_set())).collect();
        v.extend(leaf.get_arguments());
        v.retain(|a| configurable(a));
        v
    }
    /// Its configurable option with this long name.
    fn option(&self, long: &str) -> Option<&'a Arg> {
        self.options().into_iter().find(|a| a.get_long() == Some(long))
    }
    /// `db update`.
    fn name(&self) -> String {
        self.path.join(" ")
    }
}

/// Every configurable command that runs, in definition order.
fn leaves(root: &Command) -> Vec<Leaf<'_>> {
    /// Depth first: `c` is reached by `path` through `chain`.
    fn walk<'a>(c: &'a Command, path: Vec<String>, chain: Vec<&'a Command>, out: &mut Vec<Leaf<'a>>) {
        let subs: Vec<&Command> = c.get_subcommands().filter(|s| !META_COMMANDS.contains(&s.get_name())).collect();
        if subs.is_empty() && !path.is_empty() {
            out.push(Leaf { path, chain });
            return;
        }
        for s in subs {
            let mut p = path.clone();
            p.push(s.get_name().to_string());
            let mut ch = chain.clone();
            ch.push(s);
            walk(s, p, ch, out);
        }
    }
    let mut out = Vec::new();
    walk(root, Vec::new(), vec![root], &mut out);
    out
}

/// Values for one option of the command being run, and where they came from.
#[derive(Debug, Clone)]
struct Layer {
    id: String,
    long: String,
    values: Vec<String>,
    origin: String,
}

/// The subcommand path named on the command line (as far as it names commands) and the
/// `--config` value, found without parsing the rest (which needs the defaults set first).
fn command_path_and_config(root: &Command, args: &[OsString]) -> (Vec<String>, Option<PathBuf>) {
    let mut path = Vec::new();
    let mut config = None;
    let mut cmd = Some(root);
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let s = a.to_string_lossy();
        if s == "--" {
            break;
        } else if s == "--config" {
            config = it.next().map(PathBuf::from);
        } else if let Some(v) = s.strip_prefix("--config=") {
            config = Some(PathBuf::from(v));
        } else if s.starts_with('-') {
            continue;
        } else if let Some(sub) = cmd.and_then(|c| c.find_subcommand(a)) {
            path.push(sub.get_name().to_string());
            cmd = Some(sub);
        } else {
            // A value or a positional argument: no more subcommand names after it.
            cmd = None;
        }
    }
    (path, config)
}

/// Why a value from the file or the environment is refused; the caller's message says where it
/// came from.
#[derive(Debug)]
enum BadValue {
    /// Not a string or an integer (described: type, and the value when short).
    NotScalar(String),
    /// A flag's value in the file that is not a boolean (described).
    NotBoolean(String),
    /// An array for an option that takes one value.
    NotOne,
    /// A flag's value in the environment that is not true/false/1/0 (or yes/no/on/off).
    NotFlagWord(String),
    /// Refused by the option's own value parser: clap's message, on one line.
    Refused(String),
}

impl std::fmt::Display for BadValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadValue::NotScalar(found) => write!(f, "expected a string or an integer, found {found}"),
            BadValue::NotBoolean(found) => write!(f, "expected true or false, found {found}"),
            BadValue::NotOne => write!(f, "takes one value, not an array"),
            BadValue::NotFlagWord(s) => write!(f, "invalid value '{s}': use true, false, 1 or 0"),
            BadValue::Refused(why) => write!(f, "{why}"),
        }
    }
}

/// Strings for `arg` from a TOML value.
fn toml_values(arg: &Arg, v: &toml::Value) -> Result<Vec<String>, BadValue> {
    use toml::Value as V;
    let scalar = |v: &V| match v {
        V::String(s) => Ok(s.clone()),
        V::Integer(i) => Ok(i.to_string()),
        other => Err(BadValue::NotScalar(describe(other))),
    };
    if is_flag(arg) {
        return match v {
            // clap stores a SetFalse flag's value inverted: `no-x = true` stores false.
            V::Boolean(b) => Ok(vec![(*b != matches!(arg.get_action(), ArgAction::SetFalse)).to_string()]),
            other => Err(BadValue::NotBoolean(describe(other))),
        };
    }
    match (v, is_list(arg)) {
        (V::Array(items), true) => items.iter().map(scalar).collect(),
        (V::Array(_), false) => Err(BadValue::NotOne),
        (V::Boolean(b), false) if matches!(arg.get_action(), ArgAction::Count) => Ok(vec![u8::from(*b).to_string()]),
        (v, _) => Ok(vec![scalar(v)?]),
    }
}

/// A TOML value for an error message: its type, and the value when it is short.
fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the string {s:?}"),
        toml::Value::Integer(i) => format!("the integer {i}"),
        toml::Value::Float(f) => format!("the float {f}"),
        toml::Value::Boolean(b) => format!("the boolean {b}"),
        other => format!("a {}", other.type_str()),
    }
}

/// Strings for `arg` from an environment variable's value.
fn env_values(arg: &Arg, s: &str) -> Result<Vec<String>, BadValue> {
    if is_flag(arg) {
        let b = match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => return Err(BadValue::NotFlagWord(s.to_string())),
        };
        return Ok(vec![(b != matches!(arg.get_action(), ArgAction::SetFalse)).to_string()]);
    }
    if is_list(arg) {
        let d = arg.get_value_delimiter().unwrap_or(',');
        return Ok(s.split(d).filter(|x| !x.is_empty()).map(str::to_string).collect());
    }
    Ok(vec![s.to_string()])
}

/// Check each value with the option's own parser (through a one-option command: the parser
/// itself is not callable outside clap); the error is clap's, on one line without its frame.
/// Invalid defaults would also make clap's debug assertions panic.
fn check_with_parser(arg: &Arg, values: &[String]) -> Result<(), BadValue> {
    let long = arg.get_long().unwrap_or("value").to_string();
    let mut probe = Arg::new("probe")
        .long(long.clone())
        .action(ArgAction::Set)
        .allow_hyphen_values(true)
        .value_parser(arg.get_value_parser().clone());
    if let Some(names) = arg.get_value_names() {
        probe = probe.value_names(names.to_vec());
    }
    for v in values {
        let cmd = Command::new("binsight").no_binary_name(true).arg(probe.clone());
        if let Err(e) = cmd.try_get_matches_from([format!("--{long}={v}")]) {
            let text = e.to_string();
            let text = text.split("\n\nFor more information").next().unwrap_or(&text);
            let text = text.trim().trim_start_matches("error: ");
            return Err(BadValue::Refused(text.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
    }
    Ok(())
}

/// A config file as read.
struct File {
    path: PathBuf,
    table: toml::Table,
}

/// The config file to read: `explicit` (--config or $BINSIGHT_CONFIG: it must exist), else
/// ./binsight.toml, else $XDG_CONFIG_HOME/binsight/config.toml; None when neither exists.
fn find_file(explicit: Option<(PathBuf, &str)>, notes: &mut Vec<String>) -> Result<Option<File>, Error> {
    let read = |p: &Path| -> std::io::Result<String> {
        let mut s = String::new();
        std::fs::File::open(p)?.take(MAX_FILE + 1).read_to_string(&mut s)?;
        if s.len() as u64 > MAX_FILE {
            return Err(std::io::Error::other(format!("larger than {MAX_FILE} bytes")));
        }
        Ok(s)
    };
    let candidates: Vec<(PathBuf, bool, String)> = match explicit {
        Some((p, how)) => vec![(p, true, format!("named by {how}"))],
        None => {
            let mut v = vec![(PathBuf::from(FILE_NAME), false, "in the working directory".to_string())];
            let xdg = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).filter(|p| p.is_absolute());
            let base = xdg.or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
            if let Some(b) = base {
                v.push((b.join("binsight").join("config.toml"), false, "in the user's config directory".to_string()));
            }
            v
        }
    };
    for (path, must, how) in &candidates {
        let text = match read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must => continue,
            // A default location under a directory this user may not enter (another user's
            // HOME, under sudo or setpriv) holds no file for us: only one that is there and
            // unreadable is an error.
            Err(e) if !must && !path.try_exists().unwrap_or(false) => {
                notes.push(format!("cannot look at {}: {e}", show(path)));
                continue;
            }
            Err(e) => return Err(Error(format!("config file {}: cannot read it: {e}", show(path)))),
        };
        let table: toml::Table = toml::from_str(&text).map_err(|e| {
            Error(format!("config file {}: not valid TOML: {}", show(path), sanitize_lines(e.to_string().trim())))
        })?;
        notes.push(format!("reading {} ({how})", show(path)));
        return Ok(Some(File { path: path.clone(), table }));
    }
    let looked: Vec<String> = candidates.iter().map(|(p, _, _)| show(p)).collect();
    notes.push(format!("no config file (looked for {})", looked.join(" and ")));
    Ok(None)
}

/// [`binsight_report::sanitize`] line by line: the line breaks stay.
fn sanitize_lines(s: &str) -> String {
    s.lines().map(|l| binsight_report::sanitize(l).into_owned()).collect::<Vec<_>>().join("\n")
}

/// A path for a message, escaped.
fn show(p: &Path) -> String {
    binsight_report::sanitize(&p.display().to_string()).into_owned()
}

/// Refuse unknown keys and bad values anywhere in the file (not only for the command run), so
/// a typo shows up at once. `at` is the table's path: [] for the top level, ["db"] for [db].
fn validate(file: &File, table: &toml::Table, at: &[String], leaves: &[Leaf<'_>]) -> Result<(), Error> {
    let under: Vec<&Leaf> = leaves.iter().filter(|l| l.path.starts_with(at)).collect();
    let tables: BTreeSet<&str> =
        under.iter().filter(|l| l.path.len() > at.len()).map(|l| l.path[at.len()].as_str()).collect();
    let keys: BTreeSet<&str> = under.iter().flat_map(|l| l.options()).filter_map(|a| a.get_long()).collect();
    for (key, value) in table {
        let dotted = at.iter().chain([key]).cloned().collect::<Vec<_>>().join(".");
        if let (Some(t), true) = (value.as_table(), tables.contains(key.as_str())) {
            let mut sub = at.to_vec();
            sub.push(key.clone());
            validate(file, t, &sub, leaves)?;
            continue;
        }
        if tables.contains(key.as_str()) && !keys.contains(key.as_str()) {
            return Err(Error(format!(
                "config file {}: `{}` is a command: give its options as a table, [{}]",
                show(&file.path),
                binsight_report::sanitize(&dotted),
                binsight_report::sanitize(&dotted)
            )));
        }
        if !keys.contains(key.as_str()) {
            let here = if at.is_empty() { "at the top level".to_string() } else { format!("in [{}]", at.join(".")) };
            let mut valid: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            valid.extend(
                tables
                    .iter()
                    .map(|t| format!("[{}]", at.iter().chain([&t.to_string()]).cloned().collect::<Vec<_>>().join("."))),
            );
            let hint = suggest(key, keys.iter().copied().chain(tables.iter().copied()))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(Error(format!(
                "config file {}: unknown key `{}`{hint}; valid keys {here}: {}",
                show(&file.path),
                binsight_report::sanitize(&dotted),
                valid.join(", ")
            )));
        }
        for l in &under {
            if let Some(arg) = l.option(key) {
                toml_values(arg, value).and_then(|v| check_with_parser(arg, &v)).map_err(|e| {
                    Error(format!(
                        "config file {}: `{}` (for {}): {}",
                        show(&file.path),
                        binsight_report::sanitize(&dotted),
                        l.name(),
                        binsight_report::sanitize(&e.to_string())
                    ))
                })?;
            }
        }
    }
    Ok(())
}

/// The closest of `candidates` to a mistyped `key`, if close enough to be a typo.
fn suggest<'a>(key: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let key = key.replace('_', "-").to_lowercase();
    candidates
        .map(|c| (distance(&key, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, for "did you mean" (config keys, source schemes).
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The command line's command with the file's and the environment's values set as defaults.
struct Layered {
    /// The root command, with the new defaults.
    cmd: Command,
    /// The subcommand path run (`["db", "update"]`).
    path: Vec<String>,
    /// The values set, per option.
    layers: Vec<Layer>,
    /// For the debug log.
    notes: Vec<String>,
    /// What the file holds besides options.
    extras: Extras,
}

/// What a config file holds besides option values: its `[[ignore]]` entries.
#[derive(Debug, Default)]
pub struct Extras {
    /// The entries in force, in the file's order.
    pub ignore: Vec<binsight_advisory::vex::IgnoreEntry>,
    /// One warning per expired entry (it no longer applies).
    pub expired: Vec<String>,
}

/// Keys an `[[ignore]]` entry may have.
const IGNORE_KEYS: &[&str] = &["id", "purl", "path", "reason", "expires"];

/// Today (UTC) as days since 1970-01-01.
fn today() -> i64 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    i64::try_from(secs / 86_400).unwrap_or(i64::MAX)
}

/// `YYYY-MM-DD` as days since 1970-01-01, if it is a real day.
fn parse_day(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let days = binsight_model::date::days_from_civil(y, m, d);
    // A day that does not exist (02-30) does not come back the same.
    (binsight_model::date::civil_from_days(days) == (y, m, d)).then_some(days)
}

/// The `[[ignore]]` entries of the file at `path` (`v` is the `ignore` value): each must have an
/// `id`, only the keys of [`IGNORE_KEYS`], string values (or a TOML date for `expires`); an
/// entry whose `expires` day has come (it applies while today < expires, UTC) is dropped with a
/// warning.
fn ignore_entries(path: &Path, v: &toml::Value, today: i64) -> Result<Extras, Error> {
    let file = show(path);
    let bad = |what: String| Error(format!("config file {file}: {what}"));
    let entries = v.as_array().filter(|a| a.iter().all(toml::Value::is_table)).ok_or_else(|| {
        bad("`ignore` must be a list of tables: [[ignore]] with id = \"CVE-…\" (and purl, path, reason, expires)"
            .into())
    })?;
    let mut out = Extras::default();
    for (i, e) in entries.iter().filter_map(toml::Value::as_table).enumerate() {
        let at = format!("[[ignore]] entry {}", i + 1);
        for k in e.keys() {
            if !IGNORE_KEYS.contains(&k.as_str()) {
                let hint = suggest(k, IGNORE_KEYS.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(bad(format!(
                    "{at}: unknown key `{}`{hint}; valid keys: {}",
                    binsight_report::sanitize(k),
                    IGNORE_KEYS.join(", ")
                )));
            }
        }
        let text = |k: &str| -> Result<Option<String>, Error> {
            match e.get(k) {
                None => Ok(None),
                Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
                // `expires = 2027-01-31` (a TOML date) as well as a string.
                Some(toml::Value::Datetime(d)) if k == "expires" && d.time.is_none() => Ok(Some(d.to_string())),
                Some(other) => Err(bad(format!("{at}: `{k}` must be a non-empty string, not {}", describe(other)))),
            }
        };
        let id = text("id")?.ok_or_else(|| bad(format!("{at}: no `id` (the advisory id or an alias to ignore)")))?;
        let expires = text("expires")?;
        if let Some(x) = &expires {
            let day = parse_day(x).ok_or_else(|| {
                bad(format!("{at}: `expires` {:?} is not a day (YYYY-MM-DD)", binsight_report::sanitize(x)))
            })?;
            if day <= today {
                out.expired.push(format!(
                    "config file {file}: {at} ({}) expired on {x}: it no longer applies; renew or remove it",
                    binsight_report::sanitize(&id)
                ));
                continue;
            }
        }
        out.ignore.push(binsight_advisory::vex::IgnoreEntry {
            id,
            purl: text("purl")?,
            path: text("path")?,
            reason: text("reason")?,
            expires,
            file: file.clone(),
            statement: format!("ignore[{}]", i + 1),
        });
    }
    Ok(out)
}

/// Read the file and the environment for the command `args` runs, and set their values as the
/// defaults of its options.
fn layer_file_and_env(root: Command, args: &[OsString]) -> Result<Layered, Error> {
    let mut notes = Vec::new();
    let (path, cli_config) = command_path_and_config(&root, args);
    let all = leaves(&root);
    let Some(leaf) = all.iter().find(|l| l.path == path) else {
        // No command to configure (`binsight --help`, `binsight version`, a usage error).
        return Ok(Layered { cmd: root.clone(), path, layers: Vec::new(), notes, extras: Extras::default() });
    };
    let env_config = std::env::var_os("BINSIGHT_CONFIG").filter(|v| !v.is_empty()).map(PathBuf::from);
    let explicit = match (cli_config, env_config) {
        (Some(p), _) => Some((p, "--config")),
        (None, Some(p)) => Some((p, "BINSIGHT_CONFIG")),
        (None, None) => None,
    };
    let mut file = find_file(explicit, &mut notes)?;
    let mut extras = Extras::default();
    if let Some(f) = &mut file {
        if let Some(v) = f.table.remove("ignore") {
            extras = ignore_entries(&f.path, &v, today())?;
        }
        validate(f, &f.table, &[], &all)?;
    }
    let mut layers: Vec<Layer> = Vec::new();
    for arg in leaf.options() {
        let long = arg.get_long().unwrap_or_default();
        let from_file = match &file {
            Some(f) => file_values(f, arg, &path)?,
            None => None,
        };
        // The environment wins over the file.
        if let Some((values, origin)) = env_values_checked(arg)?.or(from_file) {
            layers.push(Layer { id: arg.get_id().to_string(), long: long.to_string(), values, origin });
        }
    }
    // Global options live on the root; the others on the leaf.
    let mut cmd = root.clone();
    for l in &layers {
        let global = root.get_arguments().any(|a| a.get_id() == l.id.as_str());
        let at: &[String] = if global { &[] } else { &path };
        let values = l.values.clone();
        cmd = mut_at(cmd, at, &l.id, move |a| a.default_values(values).required(false));
    }
    Ok(Layered { cmd, path, layers, notes, extras })
}

/// The file's values for `arg` of the command at `path`, and where they are (file and dotted
/// key): the deepest table holding the key wins, [db.update] over [db] over the top level.
fn file_values(f: &File, arg: &Arg, path: &[String]) -> Result<Option<(Vec<String>, String)>, Error> {
    let long = arg.get_long().unwrap_or_default();
    let mut chosen = None;
    let mut t = Some(&f.table);
    for depth in 0..=path.len() {
        let Some(table) = t else { break };
        // (A table under an option's name is a command's table; validate() checked.)
        if let Some(v) = table.get(long).filter(|v| !v.is_table()) {
            let dotted = path[..depth].iter().map(String::as_str).chain([long]).collect::<Vec<_>>().join(".");
            let values =
                toml_values(arg, v).map_err(|e| Error(format!("config file {}: `{dotted}`: {e}", show(&f.path))))?;
            chosen = Some((values, format!("{} `{dotted}`", show(&f.path))));
        }
        t = path.get(depth).and_then(|p| table.get(p)).and_then(|v| v.as_table());
    }
    Ok(chosen)
}

/// The environment's values for `arg` (from `BINSIGHT_…`, unless empty), checked with the
/// option's parser, and the variable's name.
fn env_values_checked(arg: &Arg) -> Result<Option<(Vec<String>, String)>, Error> {
    let var = env_name(arg.get_long().unwrap_or_default());
    let Some(raw) = std::env::var_os(&var).filter(|v| !v.is_empty()) else { return Ok(None) };
    let s = raw.to_str().ok_or_else(|| Error(format!("environment variable {var}: not valid UTF-8")))?;
    let values = env_values(arg, s)
        .and_then(|v| check_with_parser(arg, &v).map(|()| v))
        .map_err(|e| Error(format!("environment variable {var}: {}", binsight_report::sanitize(&e.to_string()))))?;
    Ok(Some((values, var)))
}

/// Change the option `id` of the command at `path` under `cmd` (the root for an empty path).
fn mut_at(cmd: Command, path: &[String], id: &str, f: impl FnOnce(Arg) -> Arg) -> Command {
    match path.split_first() {
        None => cmd.mut_arg(id, f),
        Some((first, rest)) => cmd.mut_subcommand(first, |c| mut_at(c, rest, id, f)),
    }
}

/// A config or environment error: the message, for `binsight: MESSAGE` and exit code 2.
#[derive(Debug)]
pub struct Error(pub String);

/// Parse the command line over the environment and the config file. clap's own errors (and
/// --help, --version) exit here as `Parser::parse` does; the notes are for the debug log, which
/// is not set up yet.
pub fn parse<T: clap::Parser>() -> Result<(T, Vec<String>, Extras), Error> {
    parse_from(std::env::args_os().collect())
}

/// [`parse`] with these arguments (the first is the program name).
fn parse_from<T: clap::Parser>(args: Vec<OsString>) -> Result<(T, Vec<String>, Extras), Error> {
    let Layered { mut cmd, path, layers, mut notes, extras } = layer_file_and_env(T::command(), &args)?;
    let m = cmd.try_get_matches_from_mut(&args).unwrap_or_else(|e| exit_clap(e));
    let mut leaf = &m;
    for p in &path {
        match leaf.subcommand_matches(p) {
            Some(s) => leaf = s,
            None => break,
        }
    }
    for l in &layers {
        let long = &l.long;
        if leaf.value_source(&l.id) == Some(clap::parser::ValueSource::DefaultValue) {
            let shown: Vec<String> = l.values.iter().map(|v| format!("{v:?}")).collect();
            notes.push(format!("--{long} = {} from {}", shown.join(" "), l.origin));
        } else {
            notes.push(format!("--{long} from {} is overridden by the command line", l.origin));
        }
    }
    let cli = T::from_arg_matches(&m).unwrap_or_else(|e| exit_clap(e.format(&mut cmd)));
    Ok((cli, notes, extras))
}

/// Exit as clap does, but with the arguments its errors quote escaped (a file name given as an
/// argument may hold terminal escapes): errors go to stderr without colour, line by line
/// through [`binsight_report::text::sanitize_lines`]; --help and --version are clap's own.
fn exit_clap(e: clap::Error) -> ! {
    if e.use_stderr() {
        eprint!("{}", binsight_report::text::sanitize_lines(&e.render().to_string()));
        std::process::exit(e.exit_code());
    }
    e.exit()
}

const DOCS_INTRO: &str = r#"# Configuration

<!-- Generated from the command-line definition by `binsight help-config`; the test
`docs_table_is_up_to_date` (crates/binsight/tests/config.rs) fails when this file is out of
date. Regenerate: `BINSIGHT_BLESS=1 cargo test -p binsight --test config docs_table`. -->

Every option can also come from an environment variable or a config file. The first of these
that gives a value wins:

1. the command line;
2. the environment: `BINSIGHT_` and the long option name in upper case with `_` for `-`
   (`--max-file-size` → `BINSIGHT_MAX_FILE_SIZE`); an empty variable counts as unset;
3. the config file;
4. the built-in default.

**The config file** is the first of: the file given with `--config FILE` (or
`$BINSIGHT_CONFIG`), which must exist; `binsight.toml` in the working directory;
`$XDG_CONFIG_HOME/binsight/config.toml` (`~/.config/binsight/config.toml` when
`XDG_CONFIG_HOME` is unset). Only that one file is read. It is TOML; its keys are the long
option names. A key at the top level applies to every command that has that option; a key in a
command's table (`[scan]`, `[inspect]`, `[pack]`, `[db.update]`, `[db.import]`, …) applies to
that command only and wins over the top level. Unknown keys and bad values are refused, naming
the file and the key, whichever command runs. `binsight version`, `completion` and `help`
read neither the file nor the environment.

```toml
# binsight.toml
output = "json"              # inspect and scan
max-file-size = 268435456    # integers for numbers
fail-on = "high"             # implies --audit

[scan]
jobs = 4
output = ["table", "sarif=binsight.sarif"]   # arrays for repeatable options
advisories = ["/srv/osv/crates.io"]

[pack]
tzdata = true                # booleans for flags
ca-certs = "none"

[db.update]
mirror = "https://osv-mirror.example.org"
```

**Values.** Flags take `true`/`false` in the file and `true`, `false`, `1`, `0` (also `yes`,
`no`, `on`, `off`) in the environment. `-v` takes a count (`verbose = 2`, `BINSIGHT_VERBOSE=1`).
A repeatable option takes an array in the file and a comma-separated list in the environment
(`BINSIGHT_OUTPUT=table,json=out.jsonl`); a value from the command line replaces the
environment's or file's list, it does not add to it. A value from the environment or the file
only sets the option's default: it does not trigger the checks that need another option given
on the command line (a configured `fail-on-unrated = true` just waits for a `--fail-on`).

**Ignore list.** Besides options, the file may hold `[[ignore]]` entries (top level only):
findings to suppress where no `--vex` statement decided, for `scan` and `inspect` audits.
Keys: `id` (required: the advisory id or any alias), `purl` (only with this component, or this
binary or image), `path` (only this binary, as the scan names it), `reason` (shown with the
suppressed finding), `expires` (`YYYY-MM-DD`, a string or a TOML date: the entry applies while
today, UTC, is before it; from that day on it warns on stderr and no longer applies). Any other
key, a missing `id` or a bad day is refused, naming the entry.

```toml
[[ignore]]
id = "CVE-2025-26519"
path = "/app/server"
reason = "input is ASCII only"
expires = 2027-03-31
```

Logs: `-v` prints binsight's debug log on stderr (which config file and keys applied, which
environment variables, the advisory data loaded, the sources recognised, timings), `-vv` also
trace records and the libraries' debug records; `BINSIGHT_LOG` (or else `RUST_LOG`) refines
that with env_logger directives, e.g. `BINSIGHT_LOG=binsight=trace,rustls=off`.

Variables that are not options: `BINSIGHT_DATA` (the advisory database directory, default
`$XDG_DATA_HOME/binsight`), `SOURCE_DATE_EPOCH` (timestamps of SBOMs and packed images:
whole seconds from 0 to 253402300799, 9999-12-31T23:59:59Z; empty is unset, anything else is
refused with exit 2).

## Options

"#;

/// One row of the options table in docs/configuration.md: an option, and the commands that
/// have it.
struct DocRow {
    flag: String,
    commands: Vec<String>,
    env: String,
    key: String,
    value: String,
    default: String,
    help: String,
}

/// Table cell text: `|` escaped, whitespace runs (line breaks too) as one space.
fn doc_cell(s: &str) -> String {
    s.replace('|', "\\|").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value an option takes, for the table: `boolean`, `count (integer)`, one of its possible
/// values, its value name, or a list of those.
fn doc_value(arg: &Arg, long: &str) -> String {
    let possible: Vec<String> = arg.get_possible_values().iter().map(|p| format!("`{}`", p.get_name())).collect();
    let name = arg.get_value_names().map(|n| n.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "));
    let one = if !possible.is_empty() {
        format!("one of {}", possible.join(", "))
    } else {
        format!("`{}`", name.unwrap_or_else(|| long.to_uppercase()))
    };
    match arg.get_action() {
        ArgAction::SetTrue | ArgAction::SetFalse => "boolean".to_string(),
        ArgAction::Count => "count (integer)".to_string(),
        ArgAction::Append => format!("list of {one}"),
        _ => one,
    }
}

/// An option's built-in default, for the table (empty when it has none).
fn doc_default(arg: &Arg) -> String {
    match arg.get_action() {
        ArgAction::SetTrue => "`false`".to_string(),
        ArgAction::SetFalse => "`true`".to_string(),
        ArgAction::Count => "`0`".to_string(),
        _ => {
            let d: Vec<String> = arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
            if d.is_empty() {
                String::new()
            } else {
                format!("`{}`", d.join(" "))
            }
        }
    }
}

/// Add `arg` of `command` to the table: to the row of the same option (same flag, help and
/// default) when there is one, else as a new row. Positional, hidden and unconfigurable options
/// (but --config) are left out.
fn add_doc_row(rows: &mut Vec<DocRow>, arg: &Arg, command: String) {
    let Some(long) = arg.get_long() else { return };
    if arg.is_positional() || arg.is_hide_set() || !configurable(arg) && arg.get_id() != "config" {
        return;
    }
    let flag = match arg.get_short() {
        Some(s) => format!("`-{s}`, `--{long}`"),
        None => format!("`--{long}`"),
    };
    let value = doc_value(arg, long);
    let default = doc_default(arg);
    let help = arg.get_long_help().or(arg.get_help()).map(|h| doc_cell(&h.to_string())).unwrap_or_default();
    let key = if configurable(arg) { format!("`{long}`") } else { "—".to_string() };
    if let Some(r) = rows.iter_mut().find(|r| r.flag == flag && r.help == help && r.default == default) {
        if !r.commands.contains(&command) {
            r.commands.push(command);
        }
        return;
    }
    rows.push(DocRow {
        flag,
        commands: vec![command],
        env: format!("`{}`", env_name(long)),
        key,
        value,
        default,
        help,
    });
}

/// `docs/configuration.md`: how configuration works and one table of every option.
pub fn docs(root: &Command) -> String {
    let mut rows: Vec<DocRow> = Vec::new();
    for arg in root.get_arguments().filter(|a| a.is_global_set()) {
        add_doc_row(&mut rows, arg, "all".to_string());
    }
    for l in &leaves(root) {
        for arg in l.cmd().get_arguments() {
            add_doc_row(&mut rows, arg, format!("`{}`", l.name()));
        }
    }
    let mut out = String::from(DOCS_INTRO);
    out.push_str("| option | commands | environment | config key | value | default | description |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r.flag,
            r.commands.join(", "),
            r.env,
            r.key,
            doc_cell(&r.value),
            doc_cell(&r.default),
            r.help
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn env_names_come_from_the_long_name() {
        assert_eq!(env_name("max-file-size"), "BINSIGHT_MAX_FILE_SIZE");
        assert_eq!(env_name("audit"), "BINSIGHT_AUDIT");
        assert_eq!(env_name("mirror"), "BINSIGHT_OSV_MIRROR");
    }

    #[test]
    fn typos_get_a_suggestion() {
        let keys = ["max-file-size", "max-layer-size", "audit", "output"];
        assert_eq!(suggest("max-fil-size", keys.iter().copied()), Some("max-file-size"));
        assert_eq!(suggest("max_file_size", keys.iter().copied()), Some("max-file-size"));
        assert_eq!(suggest("audti", keys.iter().copied()), Some("audit"));
        assert_eq!(suggest("colour-scheme", keys.iter().copied()), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn the_subcommand_path_and_config_are_found_without_parsing() {
        let root = Command::new("b")
            .arg(Arg::new("config").long("config").global(true))
            .subcommand(Command::new("db").subcommand(Command::new("update")))
            .subcommand(Command::new("scan").arg(Arg::new("src")));
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        let (p, c) = command_path_and_config(&root, &args(&["b", "--config", "x.toml", "db", "update", "-v"]));
        assert_eq!(p, ["db", "update"]);
        assert_eq!(c, Some(PathBuf::from("x.toml")));
        let (p, c) = command_path_and_config(&root, &args(&["b", "scan", "db", "--config=y"]));
        assert_eq!(p, ["scan"], "a positional named like a command is not one");
        assert_eq!(c, Some(PathBuf::from("y")));
        let (p, _) = command_path_and_config(&root, &args(&["b", "scan", "--", "--config", "z"]));
        assert_eq!(p, ["scan"]);
    }
}
