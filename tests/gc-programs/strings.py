# Strings: concatenation, slicing, methods, f-strings, joining, character codes.


def caesar(text, shift):
    out = []
    for ch in text:
        if "a" <= ch and ch <= "z":
            out.append(chr((ord(ch) - ord("a") + shift) % 26 + ord("a")))
        else:
            out.append(ch)
    return "".join(out)


def is_palindrome(s):
    cleaned = ""
    for ch in s.lower():
        if ch != " ":
            cleaned = cleaned + ch
    return cleaned == cleaned[::-1]


s = "Hello, WebAssembly GC"
print(s.upper())
print(s.lower())
print(len(s), s[0], s[-1], s[7:18])
print(s.split(" "))
print("-".join(["a", "b", "c"]))
print(s.replace("GC", "garbage collection"))
print(s.find("Web"), s.startswith("Hello"), s.endswith("XX"))
msg = caesar("attack at dawn", 3)
print(msg)
print(caesar(msg, 23))
print(is_palindrome("Never odd or even"), is_palindrome("LOOM optimizes"))
name = "loom"
level = 3
print(f"{name} runs at -O{level}: {level * 2} passes")
acc = ""
for i in range(10):
    acc = acc + str(i)
print(acc, acc * 2)
print("  padded  ".strip() + "|")
print(repr("quote"), str(42) + "!")
