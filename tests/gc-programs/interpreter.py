# A tiny stack-machine interpreter: a class holding the machine's state,
# lists as stacks, a dict of variables passed along, exceptions for errors,
# string tokens. (Method arguments are plain locals: p2w 0.2.3 miscompiles
# some calls whose arguments are themselves expressions on `self`.)


class VMError(Exception):
    pass


class VM:
    def __init__(self):
        self.stack = []
        self.out = []

    def take(self):
        if len(self.stack) == 0:
            raise VMError("stack underflow")
        return self.stack.pop()

    def push(self, value):
        self.stack.append(value)

    def run(self, program):
        variables = {}
        for token in program.split(" "):
            self.step(token, variables)
        return self.out

    def step(self, token, variables):
        if token == "+":
            b = self.take()
            a = self.take()
            c = a + b
            self.push(c)
        elif token == "*":
            b = self.take()
            a = self.take()
            c = a * b
            self.push(c)
        elif token == "-":
            b = self.take()
            a = self.take()
            c = a - b
            self.push(c)
        elif token == "dup":
            v = self.take()
            self.push(v)
            self.push(v)
        elif token == "print":
            v = self.take()
            self.out.append(v)
        elif token.startswith("!"):
            v = self.take()
            variables[token[1:]] = v
        elif token.startswith("@"):
            name = token[1:]
            if name not in variables:
                raise VMError("unknown variable " + name)
            value = variables[name]
            self.push(value)
        else:
            n = int(token)
            self.push(n)


def execute(program):
    vm = VM()
    try:
        return vm.run(program)
    except VMError:
        return "error"


print(execute("1 2 + print"))
print(execute("3 dup * print 10 !x @x @x + print"))
print(execute("2 3 4 * + dup print 1 - print"))
print(execute("+"))
print(execute("@nothing"))
programs = ["5 !n @n @n * print", "1 2 3 + + print", "7 dup dup * * print"]
results = []
i = 0
while i < len(programs):
    for v in execute(programs[i]):
        results.append(v)
    i = i + 1
print(results)
