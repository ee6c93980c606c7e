;; loom: --pass memory-packing
;; Active segments of a memory the module defines (zero at instantiation)
;; lose leading and trailing zeros; a long interior zero run splits the
;; segment, the piece going after all segments so every data index keeps
;; its segment; a short interior run stays (a new segment's header would
;; cost more). A zero an earlier segment writes over must stay. Passive
;; segments stay as they are, and the data count follows the new count.
(module
  (memory 1)
  ;; 0: leading and trailing zeros go: "\01\02" at 18.
  (data (i32.const 16) "\00\00\01\02\00\00\00")
  ;; 1: a 20-zero interior run splits: "\03" at 100, "\04" at 121.
  (data (i32.const 100) "\03\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\04")
  ;; 2: a 3-zero run costs less than a header: kept whole.
  (data (i32.const 200) "\05\00\00\00\06")
  ;; 3: all zeros: becomes an empty segment at 0 (its index stays).
  (data (i32.const 300) "\00\00\00\00")
  ;; 4: passive, used below: untouched, zeros and all.
  (data "\00\00\07\00")
  ;; 5, 6 and 7 overlap, so none of them is split. 5 writes 1000..1004 =
  ;; 8 0 0 9 and has no leading or trailing zeros: it stays.
  ;; 6 writes 8 zeros at 1002: the two over 5's bytes stay (one overwrites
  ;; the 9), the six beyond go: "\00\00" at 1002.
  (data (i32.const 1000) "\08\00\00\09")
  (data (i32.const 1002) "\00\00\00\00\00\00\00\00")
  ;; 7 ends inside 5: its zeros at 998 and 999 go, the zero at 1000
  ;; overwrites 5's 8 and stays: "\00\0a" at 1000.
  (data (i32.const 998) "\00\00\00\0a")
  ;; 8 is all zeros and goes entirely; 9 overlaps it, but once 8 writes
  ;; nothing, 9's leading zeros fall on zero memory too: "\0b" at 2002 (and
  ;; a second run finds nothing more to do).
  (data (i32.const 2000) "\00\00\00\00\00\00\00\00")
  (data (i32.const 2000) "\00\00\0b")
  (func (export "init") (param i32)
    (memory.init 4 (local.get 0) (i32.const 0) (i32.const 4))
    (data.drop 4)
    (data.drop 3)))
