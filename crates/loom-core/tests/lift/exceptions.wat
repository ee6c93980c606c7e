;; loom: -O0
;; Exceptions, both proposals: legacy try/catch values arrive on the stack
;; (a Pop in the IR), delegate and rethrow keep their targets; try_table's
;; catch labels count from outside the try_table.
(module
  (tag $e (param i32))
  (tag $pair (param i32 i64))
  (func (export "legacy") (param $x i32) (result i32)
    try (result i32)
      local.get $x
      throw $e
    catch $e
      i32.const 1
      i32.add
    catch_all
      i32.const 0
    end)
  (func (export "legacy_pair") (result i32)
    try (result i32)
      i32.const 1
      i64.const 2
      throw $pair
    catch $pair
      drop
    end)
  (func (export "delegate_rethrow") (param $x i32)
    try
      try
        local.get $x
        throw $e
      delegate 0
    catch_all
      rethrow 0
    end)
  (func (export "try_table") (param $x i32) (result i32)
    block $caught (result i32)
      try_table (catch $e $caught)
        local.get $x
        throw $e
      end
      i32.const 0
    end))
