;; loom: -O0
;; Branches keep their targets through the label-to-depth round trip,
;; br_if passes its value through, and code after an unconditional branch
;; (which can never run) is dropped.
(module
  (func (export "br_table") (param $i i32) (result i32)
    block $c
      block $b
        block $a
          local.get $i
          br_table $a $b $c
        end
        i32.const 10
        return
      end
      i32.const 20
      return
    end
    i32.const 30)
  (func (export "br_if_value") (param $c i32) (result i32)
    block (result i32)
      i32.const 1
      local.get $c
      br_if 0
      drop
      i32.const 2
    end)
  (func (export "dead_code") (param $c i32) (result i32)
    block
      local.get $c
      br_if 0
      i32.const 7
      return
      i32.const 8
      drop
      nop
    end
    unreachable
    i32.const 1
    i32.add))
