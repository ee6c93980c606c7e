//! Proves every rule of `crates/loom-core/rules/*.isle` with Z3 (see `loom_verify::prover`
//! for what "proved" means), and checks that the prover rejects wrong rules.
//! Run with `--nocapture` to see one line per rule.

use loom_verify::prover::{Prover, Verdict};
use loom_verify::rules::{rules_dir, RuleSet};
use std::sync::atomic::{AtomicUsize, Ordering};

fn report(v: &Verdict) -> String {
    let vacuous = if v.vacuous > 0 {
        format!(", {} never match", v.vacuous)
    } else {
        String::new()
    };
    let slow = if v.time.as_secs_f64() > 1.0 {
        format!(", {:.1} s", v.time.as_secs_f64())
    } else {
        String::new()
    };
    match &v.failure {
        None => format!(
            "{}: proved ({} instances{vacuous}{slow})",
            v.name, v.instances
        ),
        Some(why) => format!("{}: NOT PROVED: {why}", v.name),
    }
}

#[test]
fn every_rule_is_proved() {
    let set = RuleSet::read_dir(&rules_dir()).expect("rule files parse");
    let prover = Prover::new(&set);
    let rules: Vec<_> = set.rules().collect();
    // Rules are independent (one Z3 context each): prove them on every core.
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut verdicts: Vec<(usize, Verdict)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(rule) = rules.get(i) else { break done };
                        done.push((i, prover.prove(rule)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("prover thread"))
            .collect()
    });
    verdicts.sort_by_key(|(i, _)| *i);
    let mut proved = 0;
    let mut failures = Vec::new();
    for (i, v) in &verdicts {
        println!("{}", report(v));
        if rules[*i].name.is_none() {
            failures.push(format!("a rule without a name: {:?}", rules[*i].pos));
        } else if v.failure.is_none() {
            proved += 1;
        } else {
            failures.push(report(v));
        }
    }
    let found = rules.len();
    println!("{proved} of {found} rules proved");
    assert!(found > 0, "no rules found in {}", rules_dir().display());
    assert_eq!(
        found,
        set.rule_forms_in_text(),
        "rules parsed vs `(rule` forms in the files"
    );
    assert!(
        failures.is_empty(),
        "rules not proved:\n{}",
        failures.join("\n")
    );
}

/// Rules that are wrong in the ways a rewrite goes wrong; each must be rejected.
const WRONG_RULES: &str = r#"
;; x * 2 is x + x, not x + 1.
(rule wrong_mul_two (simplify (i32_mul x (i32_const 2))) (i32_add x (i32_const 1)))
;; x / -1 traps for INT_MIN; 0 - x does not.
(rule wrong_div_minus_one (simplify (i32_div_s x (i32_const -1))) (i32_sub (i32_const 0) x))
;; Drops x, which may trap (needs `removable`).
(rule wrong_mul_zero (simplify (i64_mul x (i64_const 0))) (i64_const 0))
;; Folds every binary operator, including the trapping ones, with no trap check:
;; rejected for the division and remainder variants.
(rule wrong_fold_keeps_no_trap (simplify (binary op (const a) (const b)))
  (binary op (const b) (const a)))
;; Unsigned and signed shifts differ.
(rule wrong_shift (simplify (i64_shr_u x y)) (i64_shr_s x y))
;; Swaps operands with effects.
(rule wrong_swap (simplify (i32_add x y)) (i32_add y x))
"#;

/// Right rules of the same kinds, so the prover is seen to accept what it should.
const RIGHT_RULES: &str = r#"
(rule right_mul_two (simplify (i32_mul (removable x) (i32_const 2))) (i32_add x x))
(rule right_sub_zero (simplify (i64_sub x (i64_const 0))) x)
(rule right_mul_zero (simplify (i32_mul (removable x) (i32_const 0))) (i32_const 0))
(rule right_swap (simplify (i32_add (removable x) (removable y))) (i32_add y x))
(rule right_shl_mask (simplify (i32_shl x (i32_const 33))) (i32_shl x (i32_const 1)))
"#;

fn with_prelude(extra: &str) -> RuleSet {
    let prelude = std::fs::read_to_string(rules_dir().join("prelude.isle")).expect("prelude.isle");
    RuleSet::parse(vec![
        ("prelude.isle".into(), prelude),
        ("test.isle".into(), extra.into()),
    ])
    .expect("test rules parse")
}

#[test]
fn wrong_rules_are_rejected() {
    let set = with_prelude(WRONG_RULES);
    let prover = Prover::new(&set);
    let mut n = 0;
    for rule in set.rules() {
        n += 1;
        let v = prover.prove(rule);
        println!("{}", report(&v));
        assert!(v.failure.is_some(), "{} was proved but is wrong", v.name);
        assert!(
            !v.failure.as_ref().unwrap().starts_with("no model"),
            "{}",
            report(&v)
        );
    }
    assert_eq!(n, 6);
}

#[test]
fn right_rules_are_proved() {
    let set = with_prelude(RIGHT_RULES);
    let prover = Prover::new(&set);
    for rule in set.rules() {
        let v = prover.prove(rule);
        println!("{}", report(&v));
        assert!(v.failure.is_none(), "{}", report(&v));
    }
}
