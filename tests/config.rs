//! Configuration parsing, validation and its messages.

use webgan::config::Allowed;
use webgan::config::Architecture;
use webgan::config::GanLoss;
use webgan::config::MAX_SEED;
use webgan::config::schedule::{Anneal, LrSchedule};
use webgan::config::schema::{self, Limits, Setting, Value};
use webgan::config::{OptimizerConfig, OptimizerKind};
use webgan::data::toy::DataSet;
use webgan::{ConfigError, TrainConfig, config::presets};

#[test]
fn defaults_are_the_seed_articles_settings_and_valid() {
    let c = TrainConfig::default();
    assert_eq!((c.batch_size, c.latent_dim, c.hidden, c.loss), (64, 100, 128, GanLoss::NonSaturating));
    assert_eq!(c.channels, 128, "the DCGAN's widest layer, DESIGN.md's dcgan workload");
    for o in [c.g, c.d] {
        assert_eq!((o.kind, o.beta1, o.beta2, o.epsilon), (OptimizerKind::Adam, 0.5, 0.999, 1e-8));
    }
    // G learns five times faster than D: with 2e-4 for both, this MLP collapses (see the presets).
    assert_eq!((c.g.lr, c.d.lr), (1e-3, 2e-4));
    assert_eq!((c.d_steps, c.real_label, c.instance_noise, c.ema, c.r1_gamma), (1, 1.0, 0.0, 0.0, 0.0));
    assert_eq!(c.validate(), Ok(()));
}

/// A configuration with every field away from its default.
fn unusual() -> TrainConfig {
    TrainConfig {
        data: DataSet::Drawn,
        points: vec![[0.25, 0.5], [0.125, 0.9], [1.0, 0.0]],
        model: Architecture::Mlp,
        conditional: false,
        seed: 9,
        batch_size: 10_000,
        latent_dim: 16,
        hidden: 64,
        hidden_d: 24,
        // The DCGAN's width is not part of an MLP's link.
        channels: 128,
        loss: GanLoss::WganGp,
        clip: 0.05,
        gp_lambda: 5.0,
        r1_gamma: 0.5,
        g: OptimizerConfig { kind: OptimizerKind::RmsProp, lr: 5e-5, alpha: 0.9, ..Default::default() },
        d: OptimizerConfig {
            kind: OptimizerKind::Nesterov,
            lr: 0.01,
            momentum: 0.8,
            epsilon: 1e-6,
            ..Default::default()
        },
        schedule: LrSchedule::Step,
        decay_k: 0.1,
        decay_gamma: 0.9,
        decay_steps: 250,
        d_steps: 5,
        real_label: 0.9,
        instance_noise: 0.1,
        noise_anneal: Anneal::Exponential,
        noise_steps: 300,
        ema: 0.999,
    }
}

/// The settings only digits allow, away from their defaults too.
fn unusual_digits() -> TrainConfig {
    // The MLP's width is not part of a DCGAN's link.
    let (model, channels, mlp) = (Architecture::Dcgan, 32, TrainConfig::default());
    let (hidden, hidden_d) = (mlp.hidden, mlp.hidden_d);
    TrainConfig {
        data: DataSet::Mnist,
        points: Vec::new(),
        model,
        hidden,
        hidden_d,
        channels,
        conditional: true,
        ..unusual()
    }
}

#[test]
fn json_and_query_round_trip_and_missing_fields_default() {
    for c in [TrainConfig::default(), unusual(), unusual_digits()] {
        assert_eq!(TrainConfig::from_json(&c.to_json()), Ok(c.clone()));
        assert_eq!(TrainConfig::from_query(&c.to_query()), Ok(c.clone()), "query {}", c.to_query());
    }
    assert_eq!(TrainConfig::default().to_query(), "preset=seed_article", "the defaults are the seed article's");
    let partial = TrainConfig::from_json(r#"{"seed": 3, "g": {"kind": "sgd"}}"#).unwrap();
    assert_eq!((partial.batch_size, partial.g.kind, partial.g.lr, partial.d.lr), (64, OptimizerKind::Sgd, 1e-3, 2e-4));
    let mut same = TrainConfig::default();
    same.g.lr = 2e-4;
    assert_eq!(same.to_query(), "lr_g=0.0002");
    same.d.lr = 0.01;
    same.g.lr = 0.01;
    assert_eq!(same.to_query(), "lr=0.01");
}

#[test]
fn a_link_may_start_from_a_preset_and_one_that_sets_nothing_opens_the_opening_preset() {
    let wgan = presets::find("wgan_gp").unwrap().config;
    assert_eq!(TrainConfig::from_query("seed=3&preset=wgan_gp"), Ok(TrainConfig { seed: 3, ..wgan }));
    assert_eq!(TrainConfig::from_query("preset=seed_article"), Ok(TrainConfig::default()));
    let opening = presets::opening();
    let widths = (opening.hidden, opening.hidden_d);
    assert_eq!((widths, opening.batch_size, opening.real_label, opening.ema), ((512, 256), 128, 0.9, 0.99));
    for bare in ["", "#", "&"] {
        assert_eq!(TrainConfig::from_link(bare), Ok(opening.clone()), "{bare:?}");
    }
    assert_eq!(TrainConfig::from_link("preset=seed_article"), Ok(TrainConfig::default()));
    assert_eq!(TrainConfig::from_link("seed=4"), Ok(TrainConfig { seed: 4, ..TrainConfig::default() }));
    assert_eq!(TrainConfig::from_link(&opening.to_query()), Ok(opening));
    let err = TrainConfig::from_query("preset=nope").unwrap_err();
    assert!(matches!(&err, ConfigError::UnknownPreset { id, .. } if id == "nope"), "{err:?}");
    assert!(err.to_string().starts_with("no preset `nope`; presets: first_minute, seed_article, minimax"), "{err}");
    let twice = TrainConfig::from_query("preset=minimax&preset=hinge");
    assert_eq!(twice, Err(ConfigError::Repeated { field: "preset".into() }));
    // A lesson stage's settings apply over its own preset and cannot name another.
    let stage = TrainConfig::default().with_query("preset=minimax");
    assert!(matches!(stage, Err(ConfigError::UnknownField { ref field, .. }) if field == "preset"), "{stage:?}");
}

#[test]
fn the_dcgan_has_a_width_of_its_own_and_older_files_keep_theirs() {
    let dcgan = TrainConfig::from_query("model=dcgan&channels=64&hidden=512").unwrap();
    assert_eq!((dcgan.channels, dcgan.hidden), (64, 512));
    assert_eq!(dcgan.to_query(), "model=dcgan&channels=64", "a DCGAN's link leaves out the MLP's width");
    assert_eq!(TrainConfig::from_query("hidden=64&channels=32").unwrap().to_query(), "hidden=64");
    // Before the DCGAN had `channels`, its width was `hidden`: such files describe the same network.
    assert_eq!(TrainConfig::from_json(r#"{"model": "dcgan", "hidden": 32}"#).unwrap().channels, 32);
    assert_eq!(TrainConfig::from_json(r#"{"model": "dcgan", "hidden": 32, "channels": 16}"#).unwrap().channels, 16);
    assert_eq!(TrainConfig::from_json(r#"{"hidden": 32}"#).unwrap().channels, 128);
}

#[test]
fn the_mlps_widths_are_set_together_or_apart_and_older_files_keep_theirs() {
    let widths = |query: &str| TrainConfig::from_query(query).map(|c| (c.hidden, c.hidden_d));
    assert_eq!(widths("hidden=64"), Ok((64, 64)), "`hidden` sets both, as before D had a width of its own");
    assert_eq!(widths("hidden_d=32"), Ok((128, 32)));
    assert_eq!(widths("hidden=64&hidden_d=32"), Ok((64, 32)));
    assert_eq!(widths("hidden_d=32&hidden_g=256"), Ok((256, 32)));
    assert_eq!(TrainConfig::from_query("hidden=64").unwrap().to_query(), "hidden=64");
    assert_eq!(TrainConfig::from_query("hidden_g=512&hidden_d=256").unwrap().to_query(), "hidden_g=512&hidden_d=256");
    assert!(TrainConfig::from_query("hidden_d=2").is_err(), "each width has its limits");
    // A file from before D had its own width meant `hidden` for both networks.
    let old = TrainConfig::from_json(r#"{"hidden": 32}"#).unwrap();
    assert_eq!((old.hidden, old.hidden_d), (32, 32));
    let new = TrainConfig::from_json(r#"{"hidden": 32, "hidden_d": 16}"#).unwrap();
    assert_eq!((new.hidden, new.hidden_d), (32, 16));
    assert_eq!(TrainConfig::from_json(&new.to_json()), Ok(new));
}

#[test]
fn query_keys_set_one_network_or_both() {
    let c = TrainConfig::from_query("#seed=7&batch=full&lr=0.001&lr_d=0.004&opt_g=nesterov&loss=hinge").unwrap();
    assert_eq!((c.seed, c.batch_size, c.loss), (7, 10_000, GanLoss::Hinge));
    assert_eq!((c.g.lr, c.d.lr, c.g.kind, c.d.kind), (0.001, 0.004, OptimizerKind::Nesterov, OptimizerKind::Adam));
}

#[test]
fn out_of_range_values_name_the_key_and_the_allowed_values() {
    let err = TrainConfig::from_query("batch=0").unwrap_err();
    assert_eq!(err.to_string(), "`batch` = 0 is not allowed: an integer from 1 to 10000");
    let err = TrainConfig::from_json(r#"{"g": {"beta1": 1.0}}"#).unwrap_err();
    assert!(matches!(&err, ConfigError::OutOfRange { field, .. } if field == "beta1_g"), "{err}");
    let err = TrainConfig::from_query("lr_d=-1").unwrap_err();
    assert_eq!(err.to_string(), "`lr_d` = -1 is not allowed: a number greater than 0 and at most 1");
    for (query, field) in [
        ("d_steps=0", "d_steps"),
        ("d_steps=21", "d_steps"),
        ("real_label=0.3", "real_label"),
        ("ema=1", "ema"),
        ("noise=-0.1", "noise"),
        ("clip=0", "clip"),
        ("gp=-1", "gp"),
        ("decay_gamma=0", "decay_gamma"),
        ("decay_steps=0", "decay_steps"),
        ("momentum_g=1", "momentum_g"),
        ("alpha=1.5", "alpha"),
        ("eps_d=0", "eps_d"),
        ("model=dcgan&data=ring", "model"),
        ("model=dcgan&channels=512", "channels"),
        ("conditional=true&data=moons", "conditional"),
    ] {
        let err = TrainConfig::from_query(query).unwrap_err();
        assert!(matches!(&err, ConfigError::OutOfRange { field: f, .. } if f == field), "{query}: {err}");
    }
}

#[test]
fn malformed_input_is_refused_with_a_message() {
    let err = TrainConfig::from_query("seed=abc").unwrap_err();
    assert_eq!(err.to_string(), "`seed` = \"abc\" is not a whole number");
    let err = TrainConfig::from_query("loss=wgan").unwrap_err();
    assert_eq!(
        err.to_string(),
        "`loss` = \"wgan\" is not one of minimax, non_saturating, least_squares, hinge, wgan_clip, wgan_gp"
    );
    let err = TrainConfig::from_query("opt_d=lbfgs").unwrap_err();
    assert!(err.to_string().contains("one of sgd, momentum, nesterov, adam, rms_prop"), "{err}");
    let err = TrainConfig::from_query("colour=red").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown setting `colour`; known settings: data, points, model, conditional, seed, batch"),
        "{err}"
    );
    assert!(TrainConfig::from_query("lr_x=0.1").is_err());
    assert!(matches!(TrainConfig::from_json("{seed: 1"), Err(ConfigError::Json(_))));
    assert!(matches!(TrainConfig::from_json(r#"{"sed": 1}"#), Err(ConfigError::Json(m)) if m.contains("sed")));
    assert!(
        matches!(TrainConfig::from_json(r#"{"g": {"kind": "lion"}}"#), Err(ConfigError::Json(m)) if m.contains("lion"))
    );
    let err = TrainConfig::from_query("conditional=yes").unwrap_err();
    assert_eq!(err.to_string(), "`conditional` = \"yes\" is not true or false");
    let err = TrainConfig::from_query("model=resnet").unwrap_err();
    assert_eq!(err.to_string(), "`model` = \"resnet\" is not one of mlp, dcgan");
    assert!(TrainConfig::from_query("lr=NaN").is_err());
    assert!(TrainConfig::from_query("lr=inf").is_err());
}

#[test]
fn restart_is_needed_only_for_shape_or_seed_changes() {
    let a = TrainConfig::default();
    assert!(!a.needs_restart(&TrainConfig { loss: GanLoss::WganClip, batch_size: 8, ..a.clone() }));
    assert!(a.needs_restart(&TrainConfig { hidden: 256, ..a.clone() }));
    assert!(a.needs_restart(&TrainConfig { seed: 1, ..a.clone() }));
    assert!(a.needs_restart(&TrainConfig { model: Architecture::Dcgan, ..a.clone() }));
    assert!(a.needs_restart(&TrainConfig { conditional: true, ..a.clone() }));
    let both = TrainConfig::from_query("model=dcgan&conditional=1").unwrap();
    assert_eq!((both.model, both.conditional), (Architecture::Dcgan, true));
}

#[test]
fn presets_are_valid_distinct_and_keep_the_networks() {
    let all = presets::all();
    assert_eq!(all.len(), 11);
    for (i, p) in all.iter().enumerate() {
        assert_eq!(p.config.validate(), Ok(()), "{}", p.id);
        // The digit presets share the default networks (the conditional one adds the labels,
        // the first-minute one widens them); the toys differ only in data and noise size.
        let networks = TrainConfig {
            data: p.config.data,
            latent_dim: p.config.latent_dim,
            conditional: p.config.conditional,
            hidden: if p.id == "first_minute" { 512 } else { TrainConfig::default().hidden },
            hidden_d: if p.id == "first_minute" { 256 } else { TrainConfig::default().hidden_d },
            ..TrainConfig::default()
        };
        assert!(!p.config.needs_restart(&networks), "{} changes the networks", p.id);
        assert!(all[..i].iter().all(|q| q.config != p.config && q.id != p.id), "{} repeats another preset", p.id);
        assert_eq!(presets::find(p.id).as_ref(), Some(p));
    }
    assert_eq!(presets::find("full_batch").unwrap().config.batch_size, 10_000);
}

#[test]
fn queries_may_be_percent_encoded_as_browsers_write_them() {
    let plain = TrainConfig::from_query("loss=wgan_gp&lr_d=1e-4").unwrap();
    assert_eq!(TrainConfig::from_query("loss=wgan%5Fgp&lr%5Fd=1e%2d4").unwrap(), plain);
    // A malformed escape is kept as written, so the refusal shows what the link said.
    let err = TrainConfig::from_query("loss=%zzhinge%4").unwrap_err().to_string();
    assert!(err.contains("\"%zzhinge%4\""), "{err}");
    let err = TrainConfig::from_query("loss=%2B1+%3Cb%3E").unwrap_err().to_string();
    assert!(err.contains("\"+1 <b>\""), "{err}");
}

#[test]
fn drawn_points_are_read_from_links_and_checked() {
    let drawn = TrainConfig::from_query("data=drawn&points=0.1,0.2;0.3,0.4").unwrap();
    assert_eq!(drawn.points, vec![[0.1, 0.2], [0.3, 0.4]]);
    assert_eq!(drawn.to_query(), "data=drawn&points=0.1,0.2;0.3,0.4");
    let err = TrainConfig::from_query("data=drawn").unwrap_err().to_string();
    assert_eq!(err, "`points` = none is not allowed: at least one point for data = drawn");
    let err = TrainConfig::from_query("data=drawn&points=0.1,1.5").unwrap_err().to_string();
    assert!(err.contains("[0.1, 1.5]") && err.contains("unit square"), "{err}");
    let err = TrainConfig::from_query("data=drawn&points=0.1;0.2").unwrap_err().to_string();
    assert!(err.contains("x,y pairs"), "{err}");
    let many = vec!["0.5,0.5"; 300].join(";");
    let err = TrainConfig::from_query(&format!("data=drawn&points={many}")).unwrap_err().to_string();
    assert_eq!(err, "`points` = 257 is not allowed: at most 256 points");
    // Another data set (or other points) changes what the networks learn from: a restart.
    assert!(TrainConfig::default().needs_restart(&TrainConfig { data: DataSet::Ring, ..TrainConfig::default() }));
    assert!(drawn.needs_restart(&TrainConfig { points: vec![[0.5, 0.5]], ..drawn.clone() }));
}

#[test]
fn seeds_stay_within_the_integers_a_page_holds_exactly() {
    assert_eq!(MAX_SEED, 9_007_199_254_740_991, "JavaScript's Number.MAX_SAFE_INTEGER");
    let largest = TrainConfig::from_query("seed=9007199254740991").unwrap();
    assert_eq!(TrainConfig::from_query(&largest.to_query()), Ok(largest));
    for seed in ["9007199254740992", "9007199254740993", "18446744073709551615"] {
        let err = TrainConfig::from_query(&format!("seed={seed}")).unwrap_err();
        assert!(
            matches!(&err, ConfigError::OutOfRange { field, value, .. } if field == "seed" && value == seed),
            "{err}"
        );
        assert!(err.to_string().contains("from 0 to 9007199254740991"), "{err}");
    }
    let err = TrainConfig::from_json(r#"{"seed": 18446744073709551615}"#).unwrap_err();
    assert!(matches!(&err, ConfigError::OutOfRange { field, .. } if field == "seed"), "{err}");
}

#[test]
fn messages_echo_at_most_eighty_characters_of_a_value() {
    let long = "x".repeat(110_000);
    let cut = format!("{}…", "x".repeat(80));
    let refused = [
        TrainConfig::from_query(&format!("loss={long}")),
        TrainConfig::from_query(&format!("data=drawn&points={long}")),
        TrainConfig::from_query(&format!("{long}=1")),
        TrainConfig::from_query(&format!("seed=1&{long}=1&{long}=2")),
        TrainConfig::from_json(&format!(r#"{{"{long}": 1}}"#)),
        TrainConfig::from_json(&format!(r#"{{"loss": "{long}"}}"#)),
        TrainConfig::from_json(&format!(r#"{{"seed": "{long}"}}"#)),
    ];
    let built = [
        ConfigError::OutOfRange { field: long.clone(), value: long.clone(), allowed: Allowed::Bool },
        ConfigError::Repeated { field: long.clone() },
        ConfigError::NotAnObject { field: Some(long.clone()), found: "an array" },
    ];
    for message in refused.map(|r| r.unwrap_err().to_string()).into_iter().chain(built.map(|e| e.to_string())) {
        let start: String = message.chars().take(200).collect();
        assert!(message.len() < 1200 && message.contains(&cut), "{} chars: {start}", message.len());
    }
    let eighty = "y".repeat(80);
    let err = TrainConfig::from_query(&format!("loss={eighty}")).unwrap_err().to_string();
    assert!(err.contains(&format!("\"{eighty}\"")), "a value of 80 characters is echoed whole: {err}");
}

#[test]
fn messages_write_very_large_and_small_numbers_in_exponent_form() {
    for (query, message) in [
        ("lr=1e308", "`lr` = 1e308 is not allowed: a number greater than 0 and at most 1"),
        ("eps_d=1e-13", "`eps_d` = 1e-13 is not allowed: a number from 1e-12 to 1"),
        ("clip=0.00005", "`clip` = 5e-5 is not allowed: a number from 0.0001 to 10"),
        ("gp=-25000000", "`gp` = -2.5e7 is not allowed: a number from 0 to 1000"),
        ("clip=20", "`clip` = 20 is not allowed: a number from 0.0001 to 10"),
        ("real_label=0.3", "`real_label` = 0.3 is not allowed: a number from 0.5 to 1 (1 is no smoothing)"),
    ] {
        assert_eq!(TrainConfig::from_query(query).unwrap_err().to_string(), message);
    }
}

#[test]
fn messages_name_the_keys_a_link_uses() {
    let field = |err: ConfigError| match err {
        ConfigError::OutOfRange { field, .. } | ConfigError::BadValue { field, .. } => field,
        other => panic!("not one setting's problem: {other}"),
    };
    for (query, key) in [
        ("batch_size=0", "batch"),
        ("batch_size=abc", "batch"),
        ("latent_dim=600", "latent"),
        ("gp_lambda=-1", "gp"),
        ("r1_gamma=-1", "r1"),
        ("instance_noise=3", "noise"),
        ("noise_anneal=cosine", "anneal"),
        ("lr=2", "lr"),
        ("lr_g=2", "lr_g"),
        ("beta1_d=1", "beta1_d"),
        ("eps=0", "eps"),
    ] {
        assert_eq!(field(TrainConfig::from_query(query).unwrap_err()), key, "{query}");
    }
    for (json, key) in [
        (r#"{"batch_size": 0}"#, "batch"),
        (r#"{"latent_dim": 0}"#, "latent"),
        (r#"{"instance_noise": 5}"#, "noise"),
        (r#"{"g": {"epsilon": 0}}"#, "eps_g"),
        (r#"{"g": {"lr": 2}, "d": {"lr": 2}}"#, "lr"),
    ] {
        assert_eq!(field(TrainConfig::from_json(json).unwrap_err()), key, "{json}");
    }
    // Different values for G and D are two problems, each named by its own network's key.
    let err = TrainConfig::from_query("lr=2&lr_d=3").unwrap_err().to_string();
    assert_eq!(
        err,
        "`lr_g` = 2 is not allowed: a number greater than 0 and at most 1\n\
         `lr_d` = 3 is not allowed: a number greater than 0 and at most 1"
    );
}

#[test]
fn every_problem_is_reported_each_on_its_own_line() {
    let err = TrainConfig::from_query("seed=abc&lr=x&batch=0").unwrap_err();
    assert_eq!(
        err.to_string(),
        "`seed` = \"abc\" is not a whole number\n\
         `lr` = \"x\" is not a number\n\
         `batch` = 0 is not allowed: an integer from 1 to 10000"
    );
    assert!(matches!(&err, ConfigError::Several(problems) if problems.len() == 3), "{err:?}");
    let ranges = TrainConfig { d_steps: 0, ema: 1.0, decay_steps: 0, ..TrainConfig::default() }.validate().unwrap_err();
    let fields: Vec<&str> = match &ranges {
        ConfigError::Several(problems) => problems
            .iter()
            .map(|p| match p {
                ConfigError::OutOfRange { field, .. } => field.as_str(),
                other => panic!("{other}"),
            })
            .collect(),
        other => panic!("one problem only: {other}"),
    };
    assert_eq!(fields, ["d_steps", "ema", "decay_steps"]);
    let err = TrainConfig::from_json(r#"{"hidden": 2, "clip": 0}"#).unwrap_err();
    assert_eq!(err.to_string().lines().count(), 2, "{err}");
    // A link with a great many mistakes lists the first ten and counts the rest.
    let query = (0..30).map(|i| format!("k{i}=1")).collect::<Vec<_>>().join("&");
    let err = TrainConfig::from_query(&query).unwrap_err().to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 11, "{err}");
    assert!(lines[9].starts_with("unknown setting `k9`"), "{err}");
    assert_eq!(lines[10], "… and 20 more problems");
}

#[test]
fn a_setting_given_twice_is_refused_by_its_key() {
    let err = TrainConfig::from_query("seed=1&seed=2").unwrap_err();
    assert_eq!(err, ConfigError::Repeated { field: "seed".into() });
    assert_eq!(err.to_string(), "`seed` is given more than once; give each setting once");
    // A JSON name is the same setting as its short key, and a third time is not a new problem.
    let repeated = Err(ConfigError::Repeated { field: "batch".into() });
    assert_eq!(TrainConfig::from_query("batch=8&batch_size=16"), repeated);
    assert_eq!(TrainConfig::from_query("batch=8&batch=16&batch=32"), repeated);
    assert_eq!(TrainConfig::default().with_pairs([("batch", "8"), ("batch", "16")]), repeated, "--set");
    // Both networks' key and one network's key are different settings: the latter refines.
    assert_eq!(TrainConfig::from_query("lr=0.001&lr_d=0.004").unwrap().d.lr, 0.004);
}

#[test]
fn a_json_configuration_is_an_object_of_named_settings() {
    for (text, found) in [
        (r#"["ring"]"#, "an array"),
        ("[]", "an array"),
        ("7", "a number"),
        (r#""ring""#, "a string"),
        ("null", "null"),
        ("true", "true or false"),
    ] {
        assert_eq!(TrainConfig::from_json(text), Err(ConfigError::NotAnObject { field: None, found }), "{text}");
    }
    let err = TrainConfig::from_json(r#"["ring"]"#).unwrap_err().to_string();
    assert_eq!(err, "the configuration must be a JSON object of named settings, not an array");
    for (text, net, found) in [(r#"{"g": ["sgd", 0.1]}"#, "g", "an array"), (r#"{"d": null}"#, "d", "null")] {
        let err = TrainConfig::from_json(text).unwrap_err();
        assert_eq!(err, ConfigError::NotAnObject { field: Some(net.into()), found }, "{text}");
    }
    let err = TrainConfig::from_json(r#"{"g": [0.1]}"#).unwrap_err().to_string();
    assert_eq!(err, "`g` must be a JSON object of named settings, not an array");
    // Arrays stay where a setting is a list.
    let drawn = TrainConfig::from_json(r#"{"data": "drawn", "points": [[0.5, 0.25]]}"#).unwrap();
    assert_eq!(drawn.points, vec![[0.5, 0.25]]);
}

/// The value at `path` (`g.lr`) of a configuration's JSON.
fn json_at(config: &TrainConfig, path: &str) -> serde_json::Value {
    let json: serde_json::Value = serde_json::from_str(&config.to_json()).unwrap();
    path.split('.').fold(json, |value, name| value[name].clone())
}

/// A value of `setting` other than its default that it accepts on its own, as a link writes it.
fn other_value(setting: &Setting) -> String {
    let default = setting.text(&TrainConfig::default());
    let candidates: Vec<String> = match setting.value {
        Value::Choice(names, ..) => names.iter().map(|n| n.to_string()).collect(),
        Value::Bool(..) => vec!["true".into(), "false".into()],
        Value::Points => vec!["0.25,0.5;0.125,0.75".into()],
        Value::Number(..) | Value::Whole(..) => {
            let Limits { min, max, .. } = setting.limits.expect("numbers have limits");
            let whole = matches!(setting.value, Value::Whole(..));
            [min + (max - min) / 4.0, min + (max - min) / 2.0, max]
                .map(|x| if whole { (x.round() as u64).to_string() } else { x.to_string() })
                .into()
        }
    };
    let accepted = |value: &String| {
        let query = match setting.needs {
            Some((key, needed)) => format!("{key}={}&{}={value}", needed[0], setting.key),
            None => format!("{}={value}", setting.key),
        };
        *value != default && TrainConfig::from_query(&query).is_ok()
    };
    candidates.into_iter().find(accepted).unwrap_or_else(|| panic!("no other value for {}", setting.key))
}

#[test]
fn every_setting_round_trips_through_a_link_json_and_back() {
    assert!(schema::settings().len() >= 30, "every setting has a row");
    for setting in schema::settings() {
        let value = other_value(setting);
        let needed = setting.needs.map(|(key, needed)| format!("{key}={}&", needed[0])).unwrap_or_default();
        let config = TrainConfig::from_query(&format!("{needed}{}={value}", setting.key)).unwrap();
        assert_eq!(setting.text(&config), value, "{} reads back as written", setting.key);
        let in_json = json_at(&config, setting.json);
        let expected = match setting.value {
            Value::Number(get, _) => serde_json::json!(get(&config)),
            Value::Whole(get, _) => serde_json::json!(get(&config)),
            Value::Bool(get, _) => serde_json::json!(get(&config)),
            Value::Choice(..) => serde_json::json!(value),
            Value::Points => serde_json::to_value(&config.points).unwrap(),
        };
        assert_eq!(in_json, expected, "{} is `{}` in JSON", setting.key, setting.json);
        assert_ne!(in_json, json_at(&TrainConfig::default(), setting.json), "{} changed its JSON field", setting.key);
        assert_eq!(TrainConfig::from_json(&config.to_json()), Ok(config.clone()), "{} through JSON", setting.key);
        let link = config.to_query();
        assert!(link.split('&').any(|pair| pair == format!("{}={value}", setting.key)), "{}: {link}", setting.key);
        assert_eq!(TrainConfig::from_query(&link), Ok(config.clone()), "{} through the link {link}", setting.key);
        // G's width is `hidden` in JSON, but in a link `hidden` sets both networks' widths.
        if !setting.json.contains('.') && setting.both() != Some(setting.json) {
            let by_name = TrainConfig::from_query(&format!("{needed}{}={value}", setting.json));
            assert_eq!(by_name, Ok(config.clone()), "{} by its JSON name", setting.key);
        }
    }
}

#[test]
fn every_default_is_the_default_configurations() {
    let default = TrainConfig::default();
    let schema: serde_json::Value = serde_json::from_str(&schema::schema_json()).unwrap();
    let rows = schema["settings"].as_array().unwrap();
    assert_eq!(rows.len(), schema::settings().len());
    for (setting, row) in schema::settings().iter().zip(rows) {
        assert_eq!(row["key"], setting.key);
        let text = row["default"].as_str().unwrap();
        assert_eq!(text, setting.text(&default), "{}", setting.key);
        let read = TrainConfig::from_query(&format!("{}={text}", setting.key));
        assert_eq!(read, Ok(default.clone()), "{}={text} is the default configuration", setting.key);
    }
    let groups: Vec<&str> = schema["groups"].as_array().unwrap().iter().map(|g| g.as_str().unwrap()).collect();
    assert_eq!(groups, ["objective", "optimizer_g", "optimizer_d", "schedule", "batches", "tricks", "restart"]);
}

#[test]
fn the_enums_offer_every_variant_by_name() {
    let names = |key: &str| match schema::setting(key).unwrap().value {
        Value::Choice(names, ..) => names.to_vec(),
        _ => panic!("{key} is not a choice"),
    };
    let losses: Vec<String> =
        GanLoss::ALL.iter().map(|l| serde_json::to_value(l).unwrap().as_str().unwrap().to_string()).collect();
    assert_eq!(names("loss"), losses);
    let kinds: Vec<String> =
        OptimizerKind::ALL.iter().map(|k| serde_json::to_value(k).unwrap().as_str().unwrap().to_string()).collect();
    assert_eq!(names("opt_g"), kinds);
    assert_eq!(names("opt_d"), kinds);
    for key in ["data", "model", "schedule", "anneal"] {
        let names = names(key);
        let configs: Vec<TrainConfig> = names
            .iter()
            .map(|n| TrainConfig::default().with_pairs([(key, *n), ("points", "0.5,0.5")]).unwrap())
            .collect();
        assert!(configs.iter().enumerate().all(|(i, c)| !configs[..i].contains(c)), "{key}: {names:?} are distinct");
    }
}

#[test]
fn settings_are_relevant_only_where_they_act() {
    let relevant = |query: &str| TrainConfig::from_query(query).unwrap().relevant_settings();
    let ns = relevant("");
    for key in ["loss", "r1", "real_label", "opt_g", "lr_d", "beta1_g", "eps_d", "batch", "data", "model", "seed"] {
        assert!(ns.contains(&key), "{key} matters by default");
    }
    for key in ["clip", "gp", "momentum_g", "alpha_d", "decay_k", "decay_steps", "anneal", "noise_steps", "points"] {
        assert!(!ns.contains(&key), "{key} does not matter by default");
    }
    let clip = relevant("loss=wgan_clip");
    assert!(clip.contains(&"clip") && !clip.contains(&"gp") && !clip.contains(&"real_label"), "{clip:?}");
    let gp = relevant("loss=wgan_gp");
    assert!(gp.contains(&"gp") && !gp.contains(&"clip"), "{gp:?}");
    assert!(relevant("loss=least_squares").contains(&"real_label") && !relevant("loss=hinge").contains(&"real_label"));
    let mixed = relevant("opt_g=rms_prop&opt_d=nesterov&schedule=step&noise=0.1");
    for key in ["alpha_g", "eps_g", "momentum_d", "decay_gamma", "decay_steps", "anneal", "noise_steps"] {
        assert!(mixed.contains(&key), "{key}: {mixed:?}");
    }
    assert!(!mixed.contains(&"beta1_g") && !mixed.contains(&"alpha_d") && !mixed.contains(&"decay_k"), "{mixed:?}");
    let toy = relevant("data=drawn&points=0.5,0.5");
    assert!(toy.contains(&"points") && !toy.contains(&"model") && !toy.contains(&"conditional"), "{toy:?}");
    // A setting that needs digits is left out of a toy's link.
    let ring = TrainConfig::from_query("data=ring").unwrap();
    assert!(schema::setting("model").unwrap().needs.is_some() && !ring.to_query().contains("model"));
}

#[test]
fn the_unknown_key_refusal_lists_every_key_a_link_may_use() {
    let err = TrainConfig::from_query("colour=red").unwrap_err().to_string();
    for setting in schema::settings() {
        let key = setting.both().unwrap_or(setting.key);
        assert!(err.contains(&format!(" {key}")), "{key} missing from: {err}");
    }
    assert!(err.contains("batch (a number or `full`)") && err.contains("(each also with _g or _d)"), "{err}");
    assert!(err.contains(" hidden (also with _g or _d), channels"), "{err}");
    assert!(err.contains("preset (a preset's name"), "{err}");
}

#[test]
fn restarts_follow_the_schema() {
    let a = TrainConfig::default();
    for setting in schema::settings().iter().filter(|s| s.needs.is_none()) {
        let changed = TrainConfig::default().with_pairs([(setting.key, other_value(setting).as_str())]).unwrap();
        assert_eq!(a.needs_restart(&changed), setting.restarts, "{}", setting.key);
    }
}
