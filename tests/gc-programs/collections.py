# Lists, dicts, tuples, sets: building, mutating, sorting, slicing, comprehensions.

words = ["pear", "apple", "fig", "banana", "apple", "kiwi", "fig", "apple"]
counts = {}
for w in words:
    if w in counts:
        counts[w] = counts[w] + 1
    else:
        counts[w] = 1
for k in sorted(counts.keys()):
    print(k, counts[k])

squares = [i * i for i in range(10)]
print(squares)
print(squares[2:5], squares[::3], squares[-1])
evens = [x for x in squares if x % 2 == 0]
print(evens, len(evens), sum(evens))

matrix = [[r * 3 + c for c in range(3)] for r in range(3)]
transposed = [[matrix[r][c] for r in range(3)] for c in range(3)]
print(matrix)
print(transposed)

stack = []
for i in range(5):
    stack.append(i)
popped = []
while len(stack) > 0:
    popped.append(stack.pop())
print(popped)

pairs = [(3, "c"), (1, "a"), (2, "b")]
pairs = sorted(pairs, key=lambda p: p[0])
print(pairs)
a, b = pairs[0]
print(a, b)

inventory = {"apples": 3, "pears": 0}
inventory["plums"] = 7
del inventory["pears"]
print(len(inventory), "apples" in inventory, "pears" in inventory)
total = 0
for name, n in inventory.items():
    total = total + n
print(total)

seen = set()
for w in words:
    seen.add(w)
print(len(seen), "kiwi" in seen, "grape" in seen)
print(max(squares), min(squares), list(reversed([1, 2, 3])))
