;; loom: -O0
;; Multi-value results consumed whole stay whole; consumed in part they are
;; spread into scratch locals; block and loop parameters are kept.
(module
  (func $pair (result i32 i64) (i32.const 1) (i64.const 2))
  (func $take (param i32 i64) (result i32) (local.get 0))
  (func (export "whole") (result i32)
    call $pair
    call $take)
  (func (export "part") (result i32)
    call $pair
    drop)
  (func (export "block_params") (param $n i32) (result i32)
    local.get $n
    i32.const 10
    block (param i32 i32) (result i32)
      i32.add
    end)
  (func (export "loop_params") (param $n i32) (result i32)
    local.get $n
    loop (param i32) (result i32)
      i32.const 1
      i32.sub
      local.tee $n
      local.get $n
      br_if 0
    end)
  (func (export "if_params") (param $c i32) (result i32)
    i32.const 4
    local.get $c
    if (param i32) (result i32)
      i32.const 1
      i32.add
    else
      i32.const 2
      i32.mul
    end))
