"""factory-boy factories for every model; the seed command draws the same kinds of values."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from todos.models import Priority, Tag, Todo
from users.models import User

DEFAULT_PASSWORD = "correct-horse-battery-staple"

# Titles and descriptions are Latin filler, so that no English word a test searches for
# (milk, bank, report, other...) turns up in a todo by chance.
FILLER_WORDS = ("lorem", "ipsum", "dolor", "sit", "amet", "elit", "sed", "tempor", "magna")


class UserFactory(DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    age = factory.Faker("random_int", min=16, max=90)
    city = factory.Faker("city")

    class Meta:
        model = User
        skip_postgeneration_save = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class TagFactory(DjangoModelFactory):
    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"tag{n}")

    class Meta:
        model = Tag


class TodoFactory(DjangoModelFactory):
    owner = factory.SubFactory(UserFactory)
    title = factory.Faker("sentence", nb_words=5, ext_word_list=FILLER_WORDS)
    description = factory.Faker("paragraph", nb_sentences=2, ext_word_list=FILLER_WORDS)
    priority = factory.Faker("random_element", elements=Priority.values)
    due_date = factory.Faker(
        "date_between", start_date=datetime.timedelta(days=-30), end_date="+60d"
    )
    done = False
    # Set here rather than by the model's default so that completed_at, made after it, is later.
    created_at = factory.LazyFunction(timezone.now)
    completed_at = factory.LazyAttribute(lambda todo: timezone.now() if todo.done else None)

    class Meta:
        model = Todo
        skip_postgeneration_save = True

    class Params:
        completed = factory.Trait(done=True)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)
