;; loom: --pass code-folding
;; Each function shows one rule; what must stay stays.
(module
  (global $g (mut i32) (i32.const 0))
  (tag $e (param i32))
  (func $f (param i32))
  (func (export "if_tails") (param $x i32)
    ;; the two last statements of both arms go after the if once
    (if (local.get $x)
      (then (global.set $g (i32.const 1)) (call $f (i32.const 7)) (global.set $g (local.get $x)))
      (else (global.set $g (i32.const 2)) (call $f (i32.const 7)) (global.set $g (local.get $x)))))
  (func (export "if_same_arms") (param $x i32)
    ;; both arms identical: the condition's effects stay, as a drop
    (if (call $cond (local.get $x))
      (then (call $f (i32.const 1)))
      (else (call $f (i32.const 1))))
    (if (local.get $x)
      (then (call $f (i32.const 2)))
      (else (call $f (i32.const 2)))))
  (func $cond (param i32) (result i32) (local.get 0))
  (func (export "if_value") (param $x i32) (result i32)
    ;; arms ending with the same statement and value: the if becomes a
    ;; statement, they follow it
    (if (result i32) (local.get $x)
      (then (global.set $g (i32.const 1)) (call $f (local.get $x)) (i32.add (local.get $x) (i32.const 1)))
      (else (global.set $g (i32.const 2)) (call $f (local.get $x)) (i32.add (local.get $x) (i32.const 1)))))
  (func (export "if_value_operand") (param $x i32) (result i32)
    ;; an if used as an operand keeps its value: kept
    (i32.add (i32.const 3)
      (if (result i32) (local.get $x)
        (then (global.set $g (i32.const 1)) (i32.const 5))
        (else (global.set $g (i32.const 2)) (i32.const 5)))))
  (func (export "if_multi_value") (param $x i32) (result i32 i32)
    (if (result i32 i32) (local.get $x)
      (then (global.set $g (i32.const 1)) (i32.const 5) (local.get $x))
      (else (global.set $g (i32.const 2)) (i32.const 5) (local.get $x))))
  (func (export "if_value_differs") (param $x i32) (result i32)
    ;; same statement, different values: the values must stay in the arms,
    ;; so the statement does too
    (if (result i32) (local.get $x)
      (then (call $f (i32.const 1)) (i32.const 5))
      (else (call $f (i32.const 1)) (i32.const 6))))
  (func (export "if_tail_names_if") (param $x i32)
    ;; the br_ifs jump to the if's end, past the common last statement:
    ;; after the if it would run for them too: kept (spec if.wast
    ;; break-bare, in short, is the next function)
    (if $i (local.get $x)
      (then (call $f (i32.const 1)) (br_if $i (global.get $g)) (global.set $g (i32.const 3)))
      (else (call $f (i32.const 2)) (br_if $i (global.get $g)) (global.set $g (i32.const 3)))))
  (func (export "if_named_unreachable") (result i32)
    (if (i32.const 1)
      (then (br_if 0 (i32.const 1)) (unreachable))
      (else (unreachable)))
    (i32.const 19))
  (func (export "if_inner_labels") (param $x i32)
    ;; identical tails with their own labels: folded
    (if (local.get $x)
      (then
        (global.set $g (i32.const 1))
        (block $a (br_if $a (global.get $g)) (call $f (i32.const 4))))
      (else
        (global.set $g (i32.const 2))
        (block $b (br_if $b (global.get $g)) (call $f (i32.const 4))))))
  (func (export "if_different_targets") (param $x i32)
    ;; same shape, different targets: kept
    (block $o1
      (block $o2
        (if (local.get $x)
          (then (call $f (i32.const 1)) (br $o1))
          (else (call $f (i32.const 1)) (br $o2))))
      (global.set $g (i32.const 9))))
  (func (export "if_unreachable_tails") (param $x i32) (result i32)
    ;; both arms end in the same return
    (if (local.get $x)
      (then (global.set $g (i32.const 1)) (return (i32.const 4)))
      (else (global.set $g (i32.const 2)) (return (i32.const 4))))
    (i32.const 0))
  (func (export "if_in_loop") (param $x i32)
    (loop $l
      (if (local.get $x)
        (then (local.set $x (i32.const 1)) (br $l))
        (else (local.set $x (i32.const 2)) (br $l)))))
  (func (export "if_try_table") (param $x i32) (result i32)
    ;; identical try_tables catching to the same outer label: folded
    (block $h (result i32)
      (if (local.get $x)
        (then
          (global.set $g (i32.const 1))
          (try_table (catch $e $h) (call $f (local.get $x))))
        (else
          (global.set $g (i32.const 2))
          (try_table (catch $e $h) (call $f (local.get $x)))))
      (i32.const 0)))
  (func (export "exits") (param $x i32)
    ;; the code before the br is the code the block ends with: the br goes
    ;; to a new inner block followed by that code once
    (block $l
      (if (local.get $x)
        (then
          (global.set $g (i32.const 1))
          (call $f (i32.const 10))
          (call $f (i32.const 11))
          (br $l)))
      (global.set $g (i32.const 2))
      (call $f (i32.const 10))
      (call $f (i32.const 11))))
  (func (export "exits_no_fallthrough") (param $x i32)
    ;; no fall-through: two brs with the same code before them share it
    (block $l
      (if (local.get $x)
        (then
          (global.set $g (i32.const 1))
          (call $f (i32.const 10))
          (call $f (i32.const 11))
          (br $l)))
      (if (global.get $g)
        (then
          (global.set $g (i32.const 2))
          (call $f (i32.const 10))
          (call $f (i32.const 11))
          (br $l)))
      (unreachable)))
  (func (export "exits_too_small") (param $x i32)
    ;; one small statement: a new block would cost more: kept
    (block $l
      (if (local.get $x) (then (global.set $g (i32.const 1)) (br $l)))
      (global.set $g (i32.const 1))))
  (func (export "exits_names_between") (param $x i32)
    ;; without fall-through, code naming the label between ($m) stays; the
    ;; last call alone is still worth an inner block
    (block $l
      (block $m
        (if (local.get $x)
          (then
            (call $f (i32.const 10))
            (br_if $m (global.get $g))
            (call $f (i32.add (global.get $g) (i32.const 11)))
            (br $l)))
        (if (global.get $g)
          (then
            (call $f (i32.const 10))
            (br_if $m (global.get $g))
            (call $f (i32.add (global.get $g) (i32.const 11)))
            (br $l)))
        (unreachable))
      (global.set $g (i32.const 5))
      (return)))
  (func (export "exits_in_try") (param $x i32)
    ;; the code before the br runs inside the try_table, whose handler
    ;; catches what it throws: it may not move out: kept
    (block $l
      (block $h
        (try_table (catch_all $h)
          (if (local.get $x)
            (then
              (global.set $g (i32.const 1))
              (call $f (i32.const 10))
              (call $f (i32.const 11))
              (br $l)))))
      (global.set $g (i32.const 2))
      (call $f (i32.const 10))
      (call $f (i32.const 11))))
  (func (export "if_value_after_value") (param $x i32) (result i32 i32)
    ;; a value stands before the if: its tail would come between: kept
    (local.get $x)
    (if (result i32) (local.get $x)
      (then (global.set $g (i32.const 1)) (call $f (local.get $x)) (i32.const 1))
      (else (global.set $g (i32.const 2)) (call $f (local.get $x)) (i32.const 1))))
  (func $two (result i32 i32) (global.set $g (i32.const 9)) (i32.const 1) (i32.const 0))
  (func (export "if_param") (result i32)
    ;; one call gives the if's parameter and condition; the arms start with
    ;; the parameter: kept
    (call $two)
    (if (param i32)
      (then (call $f) (global.set $g (i32.const 1)))
      (else (call $f) (global.set $g (i32.const 1))))
    (i32.const 0)))
