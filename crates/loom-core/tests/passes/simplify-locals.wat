;; loom: --pass simplify-locals
;; Each function shows one rule or one case where nothing may move. Gets are
;; mostly put inside blocks, where the writer's own stack scheduling (which
;; only works within one body) would not remove the pair by itself.
(module
  (type $two (func (result i32 i32)))
  (tag $e (param i32))
  (global $g (mut i32) (i32.const 0))
  (memory 1)
  (func $effect (result i32) (global.set $g (i32.const 1)) (i32.const 2))
  (func $pair (type $two) (i32.const 1) (i32.const 2))
  (elem declare func $effect)

  (func (export "sink_into_block") (param $p i32) (result i32) (local $x i32)
    ;; the add moves into the block, set and get go
    (local.set $x (i32.add (local.get $p) (i32.const 1)))
    (block (result i32) (i32.mul (local.get $x) (i32.const 2))))

  (func (export "sink_chain") (param $p i32) (result i32) (local $a i32) (local $b i32)
    ;; $a sinks into $b's value, then $b into the block: no locals left
    (local.set $a (i32.load (local.get $p)))
    (local.set $b (i32.add (local.get $a) (i32.const 1)))
    (block (result i32) (local.get $b)))

  (func (export "no_sink_load_past_store") (param $p i32) (result i32) (local $x i32)
    ;; the store between could change what the load reads: stays
    (local.set $x (i32.load (local.get $p)))
    (i32.store (local.get $p) (i32.const 0))
    (block (result i32) (local.get $x)))

  (func (export "sink_load_past_load") (param $p i32) (result i32) (local $x i32)
    ;; two loads may swap (both only read, a trap is a trap)
    (local.set $x (i32.load (local.get $p)))
    (block (result i32) (i32.add (i32.load offset=4 (local.get $p)) (local.get $x))))

  (func (export "no_sink_past_earlier_operand") (result i32) (local $x i32)
    ;; the call is evaluated before the get, in the same expression: stays
    (local.set $x (global.get $g))
    (block (result i32) (i32.add (call $effect) (local.get $x))))

  (func (export "sink_before_later_operand") (result i32) (local $x i32)
    ;; here the get comes first: the global read moves next to it
    (local.set $x (global.get $g))
    (block (result i32) (i32.add (local.get $x) (call $effect))))

  (func (export "no_sink_trap_past_write") (param $p i32) (result i32) (local $x i32)
    ;; a division that may trap must not move past a global write
    (local.set $x (i32.div_s (i32.const 1) (local.get $p)))
    (global.set $g (i32.const 5))
    (block (result i32) (local.get $x)))

  (func (export "no_sink_past_write_of_read_local") (param $p i32) (result i32) (local $x i32)
    ;; the value reads $p, which is written in between: stays
    (local.set $x (i32.add (local.get $p) (i32.const 1)))
    (local.set $p (i32.const 0))
    (block (result i32) (i32.add (local.get $x) (local.get $p))))

  (func (export "no_sink_into_loop") (param $p i32) (local $x i32)
    ;; the value would run once per iteration: stays outside the loop
    (local.set $x (i32.add (local.get $p) (i32.const 1)))
    (loop $l
      (global.set $g (local.get $x))
      (br_if $l (global.get $g))))

  (func (export "no_sink_out_of_loop") (result i32) (local $x i32)
    ;; only the last iteration's value is read, but every iteration's store happens
    (loop $l
      (local.set $x (call $effect))
      (br_if $l (global.get $g)))
    (block (result i32) (local.get $x)))

  (func (export "no_sink_past_branch_target") (param $p i32) (result i32) (local $x i32)
    ;; the get after the block is also reached by the branch, without the set
    (block $b
      (br_if $b (local.get $p))
      (local.set $x (i32.const 7)))
    (block (result i32) (local.get $x)))

  (func (export "no_sink_into_if_arm") (param $p i32) (local $x i32)
    ;; conservative: values do not move into an arm
    (local.set $x (global.get $g))
    (if (local.get $p) (then (global.set $g (i32.add (local.get $x) (i32.const 1))))))

  (func (export "sink_into_if_condition") (param $p i32) (local $x i32)
    ;; the condition is on the straight line
    (local.set $x (i32.eqz (local.get $p)))
    (block
      (if (local.get $x) (then (global.set $g (i32.const 1))))))

  (func (export "sink_pure_past_branch") (param $p i32) (result i32) (local $x i32)
    ;; a pure value may move past a conditional branch: when the branch is
    ;; taken it was not needed (the block only reads it after)
    (block $out (result i32)
      (local.set $x (i32.add (local.get $p) (i32.const 3)))
      (drop (br_if $out (i32.const 0) (local.get $p)))
      (block (result i32) (local.get $x))))

  (func (export "tee") (local $x i32)
    ;; two gets: the set and the first get become a tee
    (local.set $x (global.get $g))
    (global.set $g (i32.add (local.get $x) (local.get $x))))

  (func (export "tee_across_block") (param $p i32) (result i32) (local $x i32)
    (local.set $x (i32.mul (local.get $p) (local.get $p)))
    (block (result i32) (i32.add (local.get $x) (i32.const 1)))
    (local.get $x)
    (i32.add))

  (func (export "no_tee_past_branch") (param $p i32) (result i32) (local $x i32)
    ;; the branch target reads $x: the write must stay before the branch
    (block $b (result i32)
      (local.set $x (i32.add (local.get $p) (i32.const 1)))
      (br_if $b (i32.const 0) (local.get $p))
      (drop)
      (block (result i32) (local.get $x)))
    (local.get $x)
    (i32.add))

  (func (export "dead_no_gets") (local $x i32) (local $y i32) (local $z i32)
    ;; never read: the call stays as a drop, the constant goes, the tee
    ;; becomes its value
    (local.set $x (call $effect))
    (local.set $y (i32.const 3))
    (global.set $g (local.tee $z (i32.const 4))))

  (func (export "dead_overwritten") (result i32) (local $x i32)
    ;; the first store is overwritten unread
    (local.set $x (global.get $g))
    (local.set $x (call $effect))
    (call $effect)
    (drop)
    (block (result i32) (local.get $x)))

  (func (export "dead_param_at_end") (param $p i32) (result i32)
    ;; parameters are dead after the function returns or ends: the call
    ;; stays as a drop, the constant goes
    (global.set $g (local.get $p))
    (if (global.get $g) (then (local.set $p (call $effect)) (return (i32.const 1))))
    (local.set $p (i32.const 9))
    (global.get $g))

  (func (export "not_dead_before_if") (param $p i32) (result i32)
    ;; conservative: a store is not followed through if arms, so the first
    ;; store stays although every path overwrites it unread
    (local.set $p (i32.const 9))
    (if (global.get $g) (then (global.set $g (i32.const 1))))
    (local.set $p (global.get $g))
    (i32.add (local.get $p) (local.get $p)))

  (func (export "unreachable_after_return") (param $p i32) (result i32) (local $x i32)
    ;; the get after the return never runs (and is not even kept): the
    ;; store is dead
    (local.set $x (i32.add (local.get $p) (i32.const 1)))
    (return (i32.const 0))
    (local.get $x))

  (func (export "dead_before_unreachable") (param $p i32)
    (local.set $p (i32.const 1))
    (unreachable))

  (func (export "not_dead_if_arm") (param $p i32) (result i32) (local $x i32)
    ;; the set in the arm does not overwrite on every path: both stay
    (local.set $x (global.get $g))
    (if (local.get $p) (then (local.set $x (i32.const 2))))
    (local.get $x))

  (func (export "not_dead_branch_reads") (param $p i32) (result i32) (local $x i32)
    ;; the branch leaves for code reading $x: the first store stays
    (block $b
      (local.set $x (i32.const 1))
      (br_if $b (local.get $p))
      (local.set $x (i32.const 2)))
    (local.get $x))

  (func (export "peepholes") (param $p i32) (local $x i32)
    (drop (local.get $p))
    (local.set $p (local.get $p))
    (drop (local.tee $x (i32.load (i32.const 0))))
    (global.set $g (local.tee $p (local.get $p)))
    (i32.store (local.get $x) (local.get $p)))

  (func (export "try_legacy") (local $x i32)
    ;; the handler reads $x: the first store stays, nothing moves into try
    (local.set $x (i32.const 1))
    try
      call $effect
      drop
      i32.const 2
      local.set $x
      local.get $x
      global.set $g
    catch $e
      drop
      local.get $x
      global.set $g
    end)

  (func (export "try_table") (result i32) (local $x i32)
    ;; a call in a function with a handler may throw: store stays
    (block $h (result i32)
      (local.set $x (i32.const 1))
      (try_table (catch $e $h)
        (drop (call $effect))
        (local.set $x (i32.const 2)))
      (local.get $x)))

  (func (export "multi_value") (result i32) (local $a i32) (local $b i32)
    ;; both values are stored at once; $a is read, $b never
    (call $pair)
    (local.set $b)
    (local.set $a)
    (block (result i32) (local.get $a)))

  (func (export "non_nullable") (result funcref) (local $r (ref func))
    ;; non-nullable locals are left alone (set before use rules)
    (local.set $r (ref.func $effect))
    (block (result funcref) (local.get $r))
    (drop)
    (local.get $r))

  (func (export "if_result") (param $p i32) (result i32) (local $x i32)
    ;; both arms store $x last: one store of an if with a result (then a tee)
    (if (local.get $p)
      (then (global.set $g (i32.const 1)) (local.set $x (i32.const 2)))
      (else (local.set $x (global.get $g))))
    (i32.add (local.get $x) (local.get $x)))

  (func (export "no_if_result") (param $p i32) (result i32) (local $x i32) (local $y i32)
    ;; a branch to the if would need a value: stays
    (if (local.get $p)
      (then (br_if 0 (global.get $g)) (local.set $x (i32.const 2)))
      (else (local.set $x (i32.const 3))))
    ;; different locals: stays
    (if (local.get $p)
      (then (local.set $x (i32.const 4)))
      (else (local.set $y (i32.const 5))))
    ;; no else arm: an else reading $x would cost more than the set saves
    (if (local.get $p) (then (local.set $y (i32.const 6))))
    (i32.add (i32.add (local.get $x) (local.get $x)) (i32.add (local.get $y) (local.get $y))))

  (func (export "sink_call_past_local_write") (param $p i32) (result i32) (local $x i32)
    ;; a call moves past pure code and other locals' writes: if it throws,
    ;; the function is left and no local is read again
    (local.set $x (call $effect))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (block (result i32) (i32.add (local.get $x) (local.get $p))))

  (func (export "no_sink_call_past_load") (param $p i32) (result i32) (local $x i32)
    ;; the call may store to what the load reads: stays
    (local.set $x (call $effect))
    (block (result i32) (i32.add (i32.load (local.get $p)) (local.get $x))))

  (func (export "no_sink_call_with_handler") (result i32) (local $x i32) (local $y i32)
    ;; a handler here could read $y after the call threw: the call stays
    (local.set $x (call $effect))
    (local.set $y (i32.const 7))
    (drop (block (result i32) (local.get $x)))
    (block $h
      (try_table (catch_all $h)
        (local.set $y (i32.const 8))))
    (local.get $y))

  (func (export "sink_simd") (param $a v128) (param $p i32) (result v128) (local $v v128)
    ;; lane arithmetic only computes: it moves past the load, like i32.add
    (local.set $v (i32x4.add (local.get $a) (local.get $a)))
    (block (result v128) (i32x4.mul (v128.load (local.get $p)) (local.get $v))))

  (func (export "no_sink_simd_load_past_store") (param $p i32) (result v128) (local $v v128)
    ;; a v128.load may not pass a store
    (local.set $v (v128.load (local.get $p)))
    (i32.store (local.get $p) (i32.const 0))
    (block (result v128) (local.get $v))))
