# Classes: inheritance, overriding, super(), class-level counters, __str__.


class Shape:
    def __init__(self, name):
        self.name = name

    def area(self):
        return 0

    def describe(self):
        return self.name + " with area " + str(self.area())


class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h


class Square(Rect):
    def __init__(self, side):
        super().__init__(side, side)
        self.name = "square"


class Circle(Shape):
    def __init__(self, r):
        super().__init__("circle")
        self.r = r

    def area(self):
        return 3 * self.r * self.r


class Counter:
    def __init__(self):
        self.count = 0

    def bump(self, by):
        self.count = self.count + by
        return self


class Node:
    def __init__(self, value, next_node):
        self.value = value
        self.next = next_node


shapes = [Rect(2, 3), Square(4), Circle(5), Shape("blob")]
for s in shapes:
    print(s.describe())
print(sum([s.area() for s in shapes]))
print(isinstance(shapes[1], Rect), isinstance(shapes[2], Rect))
c = Counter()
c.bump(1).bump(2).bump(3)
print(c.count)
head = None
for i in range(6):
    head = Node(i * i, head)
n = head
vals = []
while n is not None:
    vals.append(n.value)
    n = n.next
print(vals)
