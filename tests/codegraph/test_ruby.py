"""Ruby extraction and resolution: modules as namespaces, mixins, require paths, global names."""

from __future__ import annotations

from tests.codegraph.sample_repo import index_repo

FILES = {
    "lib/billing/payable.rb": """
        module Billing
          module Payable
            def pay!
              charge(total)
            end
          end
        end
        """,
    "lib/billing/invoice.rb": """
        require 'bigdecimal'
        require_relative 'payable'
        require 'billing/record'

        module Billing
          class Invoice < Record
            include Payable

            def total
              lines.sum { |l| l.amount }
            end

            def charge(amount)
              Gateway.submit(amount)
              log_charge(amount)
            end

            def self.build(attrs)
              new(attrs)
            end
          end
        end
        """,
    "lib/billing/record.rb": """
        module Billing
          class Record
            def log_charge(amount)
              puts amount
            end
          end
        end
        """,
    "lib/gateway.rb": """
        class Gateway
          def self.submit(amount)
            amount
          end
        end
        """,
}


def test_definitions_modules_classes_and_methods() -> None:
    """Modules are Namespace nodes; `def self.x` is a method of the class."""
    repo = index_repo(FILES)
    assert repo.defs("lib/billing/invoice.rb") == [
        ("Namespace", "Billing", 5, 22),
        ("Class", "Billing.Invoice", 6, 21),
        ("Method", "Billing.Invoice.total", 9, 11),
        ("Method", "Billing.Invoice.charge", 13, 16),
        ("Method", "Billing.Invoice.self.build", 18, 20),
    ]
    assert repo.imports("lib/billing/invoice.rb") == [
        ("bigdecimal", None, None),
        ("./payable", None, None),
        ("billing/record", None, None),
    ]


def test_calls_resolve_through_self_mixins_ancestors_and_globals() -> None:
    """Implicit self reaches included modules and superclasses; constants resolve globally."""
    repo = index_repo(FILES)
    assert repo.edge_set("CALLS") == {
        ("lib/billing/payable.rb|Method:Billing.Payable.pay!",
         "lib/billing/invoice.rb|Method:Billing.Invoice.charge", "unique_name"),
        # `total` without parentheses is a call too: the includer's method.
        ("lib/billing/payable.rb|Method:Billing.Payable.pay!",
         "lib/billing/invoice.rb|Method:Billing.Invoice.total", "unique_name"),
        ("lib/billing/invoice.rb|Method:Billing.Invoice.charge",
         "lib/gateway.rb|Method:Gateway.self.submit", "unique_name"),
        ("lib/billing/invoice.rb|Method:Billing.Invoice.charge",
         "lib/billing/record.rb|Method:Billing.Record.log_charge", "scope"),
    }  # fmt: skip
    assert repo.edge_set("INHERITS") == {
        ("lib/billing/invoice.rb|Class:Billing.Invoice",
         "lib/billing/record.rb|Class:Billing.Record", "unique_name"),
        ("lib/billing/invoice.rb|Class:Billing.Invoice",
         "lib/billing/payable.rb|Namespace:Billing.Payable", "unique_name"),
    }  # fmt: skip
    assert repo.edge_set("IMPORTS") == {
        ("lib/billing/invoice.rb", "lib/billing/payable.rb", ""),
        ("lib/billing/invoice.rb", "lib/billing/record.rb", ""),
        ("lib/billing/invoice.rb", "module:bigdecimal", ""),
    }


def test_a_bare_name_is_a_call_unless_its_method_binds_it() -> None:
    """Ruby calls without parentheses or arguments (`cleanup`, `"#{title}"`, `user.name` on a
    helper `user`) are call sites, as Ruby's parser reads them; a name the method binds
    (assigned, a parameter, a block's, a rescue's or a pattern's), even after its use, is a
    local and no call."""
    repo = index_repo(
        {
            "lib/report.rb": """
                class Report
                  setup_columns

                  def render(format, *rest)
                    cleanup if dirty?
                    rows.each { |row| row; emit }
                    "#{title}: #{format}"
                    begin
                      validate
                    rescue StandardError => error
                      error
                    end
                    case header
                    in {width:} then width
                    end
                    total = subtotal + tax
                    total
                    later
                    later = 1
                  end
                end
                """,
        }
    )
    assert sorted(name for receiver, name, caller in repo.calls("lib/report.rb")
                  if receiver is None) == [
        "cleanup", "dirty?", "emit", "header", "rows", "setup_columns", "subtotal", "tax",
        "title", "validate",
    ]  # fmt: skip
    callers = {name: caller for _, name, caller in repo.calls("lib/report.rb")}
    assert callers["setup_columns"] == "Report"
    assert callers["emit"] == "Report.render"


def test_constant_paths_defs_in_blocks_and_core_methods() -> None:
    """`A::Utils.parse()` reaches the module method through its constant path (rack's
    `Rack::Utils.parse_query`). A `def` inside a block (`describe ... do`) belongs to the
    block's object, never the global function a bare `body` elsewhere would reach (sinatra:
    244 calls); the file itself still calls it. `s.empty?` is String's, not `Jar#empty?`."""
    repo = index_repo(
        {
            "lib/a/utils.rb": """
                module A
                  module Utils
                    def self.parse(x) = x
                  end
                end
                """,
            "lib/a/b.rb": """
                module A
                  class B
                    def run(s) = A::Utils.parse(1) || ::A::Utils.parse(2) || s.empty?
                  end
                end
                """,
            "lib/jar.rb": "class Jar\n  def empty? = true\nend\n",
            "spec/a_spec.rb": """
                RSpec.describe 'a' do
                  def body = last_response.body
                  it('reads') { body }
                end
                """,
            "test/b_test.rb": """
                class BTest < Minitest::Test
                  def test_x = body
                end
                """,
        }
    )
    assert [d.hidden for d in repo.extractions["spec/a_spec.rb"].definitions] == [True]
    assert repo.edge_set("CALLS") == {
        ("lib/a/b.rb|Method:A.B.run", "lib/a/utils.rb|Method:A.Utils.self.parse", "unique_name"),
        ("spec/a_spec.rb", "spec/a_spec.rb|Function:body", "scope"),
    }


def test_attributes_are_methods_and_modules_reopen_across_files() -> None:
    """`attr_reader :response` defines `response`: a bare `response` in the class is that
    reader, not the one other class's `response` method (rack's EventedBodyProxy). A module
    reopened in several files is one: `Sinatra.register()` finds the file that defines it."""
    repo = index_repo(
        {
            "lib/proxy.rb": """
                class Proxy
                  attr_reader :request, :response
                  def each
                    response
                  end
                end
                """,
            "lib/lint.rb": "class Wrapper\n  def response = 1\nend\n",
            "lib/sinatra/base.rb": "module Sinatra\n  def self.register(x) = x\nend\n",
            "lib/sinatra/main.rb": "module Sinatra\n  def self.run = Sinatra.register(1)\nend\n",
        }
    )
    assert repo.defs("lib/proxy.rb")[:3] == [
        ("Class", "Proxy", 1, 6),
        ("Method", "Proxy.request", 2, 2),
        ("Method", "Proxy.response", 2, 2),
    ]
    assert repo.edge_set("CALLS") == {
        ("lib/proxy.rb|Method:Proxy.each", "lib/proxy.rb|Method:Proxy.response", "scope"),
        ("lib/sinatra/main.rb|Method:Sinatra.self.run",
         "lib/sinatra/base.rb|Method:Sinatra.self.register",
         "unique_name"),
    }  # fmt: skip


def test_a_class_reopened_in_another_file_is_one_class() -> None:
    """sinatra's test helper reopens `class Minitest::Test` to add `mock_app`: a test class
    deriving from it reaches the methods of every file that opens it, and
    `Sinatra::Base.register` the one part of the reopened class that defines it."""
    repo = index_repo(
        {
            "lib/minitest/test.rb": """
                module Minitest
                  class Test
                    def body; end
                  end
                end
                """,
            "test/test_helper.rb": """
                class Minitest::Test
                  def mock_app(base = nil); end
                end
                """,
            "test/a_test.rb": """
                class ATest < Minitest::Test
                  def test_x
                    mock_app
                    body
                  end
                end
                """,
            "lib/sinatra/base.rb": """
                module Sinatra
                  class Base
                    def self.register(*extensions); end
                  end
                end
                """,
            "lib/sinatra/main.rb": """
                module Sinatra
                  class Base
                    def run!; end
                  end
                end
                """,
            "lib/ext.rb": """
                class Ext
                  def go
                    Sinatra::Base.register(1)
                  end
                end
                """,
        }
    )
    test_x = "test/a_test.rb|Method:ATest.test_x"
    assert repo.edge_set("CALLS") == {
        (test_x, "test/test_helper.rb|Method:Minitest.Test.mock_app", "scope"),
        (test_x, "lib/minitest/test.rb|Method:Minitest.Test.body", "scope"),
        ("lib/ext.rb|Method:Ext.go", "lib/sinatra/base.rb|Method:Sinatra.Base.self.register",
         "unique_name"),
    }  # fmt: skip
    assert repo.edge_set("INHERITS") == {
        ("test/a_test.rb|Class:ATest", "lib/minitest/test.rb|Class:Minitest.Test", "unique_name"),
    }


def test_the_body_of_an_endless_method_is_a_call_unless_a_parameter() -> None:
    """Ruby 3's `def title = name` calls `name`, unless `name` is its parameter."""
    repo = index_repo(
        {
            "lib/page.rb": """
                class Page
                  def title = heading
                  def self.kind = build
                  def shout(heading) = heading
                  def heading; end
                  def self.build; end
                end
                """,
        }
    )
    heading = "lib/page.rb|Method:Page.heading"
    assert repo.edge_set("CALLS") == {
        ("lib/page.rb|Method:Page.title", heading, "scope"),
        ("lib/page.rb|Method:Page.self.kind", "lib/page.rb|Method:Page.self.build", "scope"),
    }


# Modelled on sinatra's `settings`, rubocop's ConfigObsoletion, sinatra-contrib's `extend
# Loader` and rack's `Utils` (`module_function`) and spec classes.
CLASS_AND_INSTANCE_FILES = {
    "lib/app/base.rb": """
        module App
          class Base
            class << self
              attr_accessor :files

              def settings
                self
              end

              def rules_cache_key
                files.hash
              end
            end

            def self.build(config)
              new(config)
            end

            def self.load_file(path)
              fail "no config in #{path}" unless rules_cache_key
            end

            def settings
              self.class.settings
            end

            def build(config)
              App::Base.build(config)
            end

            def dispatch!
              settings
              self.build(1)
            end
          end
        end
        """,
    "lib/app/loader.rb": """
        module App
          module Loader
            def register(name)
              name
            end
          end

          module Common
            extend Loader
            register :json
          end
        end
        """,
    "lib/app/utils.rb": """
        module App
          module Utils
            module_function

            def escape(s) = s
          end
        end
        """,
    "lib/app/files.rb": """
        require 'rack'
        require_relative 'utils'

        module App
          class Files
            def fail(status) = status

            def serve(request)
              App::Utils.escape(request)
              request.build(2)
            end
          end
        end
        """,
    "lib/foo.rb": """
        class Foo
          def self.build(x)
            new(x)
          end
          def build(y)
            Foo.build(y)
          end
        end
        """,
    "test/app/base_test.rb": """
        require 'minitest/autorun'
        require 'app/base'

        class BaseTest < Minitest::Spec
          it "dispatches" do
            make_request
          end

          def make_request
            App::Base.settings
          end
        end
        """,
}


def test_methods_of_the_class_itself_are_named_apart_from_its_instances() -> None:
    """`def self.build`, a `def` or `attr_accessor` in `class << self` are the class's own,
    `Base.self.build`, beside the instance method `Base.build`: two nodes, no `#2` key."""
    repo = index_repo(CLASS_AND_INSTANCE_FILES)
    assert repo.defs("lib/app/base.rb") == [
        ("Namespace", "App", 1, 36),
        ("Class", "App.Base", 2, 35),
        ("Method", "App.Base.self.files", 4, 4),
        ("Method", "App.Base.self.settings", 6, 8),
        ("Method", "App.Base.self.rules_cache_key", 10, 12),
        ("Method", "App.Base.self.build", 15, 17),
        ("Method", "App.Base.self.load_file", 19, 21),
        ("Method", "App.Base.settings", 23, 25),
        ("Method", "App.Base.build", 27, 29),
        ("Method", "App.Base.dispatch!", 31, 34),
    ]
    assert [d.singleton for d in repo.extractions["lib/app/base.rb"].definitions] == [
        False, False, True, True, True, True, True, False, False, False,
    ]  # fmt: skip
    assert repo.defs("lib/foo.rb") == [
        ("Class", "Foo", 1, 8), ("Method", "Foo.self.build", 2, 4), ("Method", "Foo.build", 5, 7),
    ]  # fmt: skip


def test_calls_reach_the_class_method_or_the_instance_method_as_ruby_does() -> None:
    """`Foo.build()`, `App::Base.build()` and `self.class.settings` reach the class's own
    methods, a bare call inside one of them too (`files`); a bare or `self.` call in an
    instance method the instances'; a module's method is its own under `module_function` or
    where it extends the module; a block in a spec class runs in an instance. No guess where
    Ruby would not look: `fail` in a class method is Kernel's, not another class's instance
    method, and `request.build()` may be either `build`."""
    repo = index_repo(CLASS_AND_INSTANCE_FILES)
    base = "lib/app/base.rb|Method:App.Base"
    assert repo.edge_set("CALLS") == {
        (f"{base}.self.rules_cache_key", f"{base}.self.files", "scope"),
        (f"{base}.self.load_file", f"{base}.self.rules_cache_key", "scope"),
        (f"{base}.settings", f"{base}.self.settings", "scope"),
        (f"{base}.build", f"{base}.self.build", "scope"),
        (f"{base}.dispatch!", f"{base}.settings", "scope"),
        (f"{base}.dispatch!", f"{base}.build", "scope"),
        ("lib/foo.rb|Method:Foo.build", "lib/foo.rb|Method:Foo.self.build", "scope"),
        ("lib/app/loader.rb|Namespace:App.Common", "lib/app/loader.rb|Method:App.Loader.register",
         "scope"),
        ("lib/app/files.rb|Method:App.Files.serve", "lib/app/utils.rb|Method:App.Utils.escape",
         "unique_name"),
        ("test/app/base_test.rb|Class:BaseTest",
         "test/app/base_test.rb|Method:BaseTest.make_request", "scope"),
        ("test/app/base_test.rb|Method:BaseTest.make_request", f"{base}.self.settings",
         "unique_name"),
    }  # fmt: skip


# Modelled on rack's `Utils.escape_html` inside `module Rack`, rubocop's `Cop::Registry`
# inside `module RuboCop` and sinatra's test helper reopening `class Minitest::Spec`: one
# name defined at two levels (`Base`, `Helper`, `Config::Loader`), so the order in which Ruby
# looks a constant up decides which one a reference reaches.
CONSTANT_FILES = {
    "lib/base.rb": """
        class Base
          def self.build(attrs) = attrs
        end

        class Error
          def self.wrap(error) = error
        end

        module Helper
          def self.format(value) = value
        end

        module Config
          class Loader
            def self.load(path) = path
          end
        end

        module Reports
          class Weekly
            def self.run = true
          end
        end
        """,
    "lib/shop/reports/daily.rb": """
        class Shop::Reports::Daily
          def self.schedule = true
        end
        """,
    "lib/shop/base.rb": """
        module Shop
          class Base
            def self.build(attrs) = attrs

            class Error
              def self.wrap(error) = error
            end
          end

          module Helper
            def self.format(value) = value
          end

          module Config
            class Loader
              def self.load(path) = path
            end
          end

          Base.include Helper
        end
        """,
    "lib/shop/models/order.rb": """
        module Shop
          module Models
            class Order < Base
              include Helper

              def render
                Helper.format(1)
                Config::Loader.load('order.yml')
                Base.build({})
                ::Base.build({})
                Reports::Weekly.run
              end
            end

            class Draft < ::Base; end
          end
        end
        """,
    "lib/shop/models/report.rb": """
        module Shop::Models
          class Report < Base
            def render
              Helper.format(2)
              Config::Loader.load('report.yml')
            end
          end
        end
        """,
    "lib/billing/invoice.rb": """
        module Billing
          class Invoice < Shop::Base
            def fail!(error)
              Error.wrap(error)
            end
          end
        end
        """,
    "test/helper.rb": """
        class Minitest::Spec
          def assert_ok = true
        end
        """,
    "test/order_test.rb": """
        class OrderTest < Minitest::Spec
          def test_render = assert_ok
        end
        """,
}


def test_constants_are_looked_up_in_the_enclosing_modules_innermost_first() -> None:
    """`Helper`, `Config::Loader` and `Base` inside `module Shop; module Models` are Shop's
    (Shop::Models has none), not the top level's, for a call and for a superclass or mixin;
    `::Base` is the top level's. `module Shop::Models` opens Shop::Models alone, so there they
    are the top level's. A constant no enclosing module has is looked for in the ancestors
    of the class before the top level (`Error` in a subclass of Shop::Base), and
    `class Minitest::Spec` says that a `Minitest` exists, defined where it may be: so
    `Reports::Weekly` inside Shop is Shop::Reports::Weekly, which is nowhere (no edge rather
    than the top level's, which Ruby would not reach). A mixin called on another object
    (`Base.include Helper`) is that object's, not the module's; `class Draft < ::Base` is the
    top level's."""
    repo = index_repo(CONSTANT_FILES)
    order = "lib/shop/models/order.rb|Method:Shop.Models.Order.render"
    report = "lib/shop/models/report.rb|Method:Shop.Models.Report.render"
    assert repo.edge_set("CALLS") == {
        (order, "lib/shop/base.rb|Method:Shop.Helper.self.format", "unique_name"),
        (order, "lib/shop/base.rb|Method:Shop.Config.Loader.self.load", "unique_name"),
        (order, "lib/shop/base.rb|Method:Shop.Base.self.build", "unique_name"),
        (order, "lib/base.rb|Method:Base.self.build", "unique_name"),
        (report, "lib/base.rb|Method:Helper.self.format", "unique_name"),
        (report, "lib/base.rb|Method:Config.Loader.self.load", "unique_name"),
        ("lib/billing/invoice.rb|Method:Billing.Invoice.fail!",
         "lib/shop/base.rb|Method:Shop.Base.Error.self.wrap", "unique_name"),
        ("test/order_test.rb|Method:OrderTest.test_render",
         "test/helper.rb|Method:Minitest.Spec.assert_ok", "scope"),
    }  # fmt: skip
    assert repo.edge_set("INHERITS") == {
        ("lib/shop/models/order.rb|Class:Shop.Models.Order", "lib/shop/base.rb|Class:Shop.Base",
         "unique_name"),
        ("lib/shop/models/order.rb|Class:Shop.Models.Order",
         "lib/shop/base.rb|Namespace:Shop.Helper", "unique_name"),
        ("lib/shop/models/report.rb|Class:Shop.Models.Report", "lib/base.rb|Class:Base",
         "unique_name"),
        ("lib/shop/models/order.rb|Class:Shop.Models.Draft", "lib/base.rb|Class:Base",
         "unique_name"),
        ("lib/billing/invoice.rb|Class:Billing.Invoice", "lib/shop/base.rb|Class:Shop.Base",
         "unique_name"),
        ("test/order_test.rb|Class:OrderTest", "test/helper.rb|Class:Minitest.Spec",
         "unique_name"),
    }  # fmt: skip


def test_new_on_a_constant_reaches_the_class_unless_the_class_defines_new() -> None:
    """`Config::Loader.new` and `Base.new` inside `module Shop` reach Shop's classes, as
    `new T()` reaches the type elsewhere; a `def self.new` (sinatra's `Base.new`) takes the
    call itself, and a module (`Helper.new`) has no instances."""
    repo = index_repo(
        {
            **CONSTANT_FILES,
            "lib/shop/checkout.rb": """
                module Shop
                  class Pool
                    def self.new(size) = super()
                  end

                  class Checkout
                    def start
                      Config::Loader.new
                      Base.new
                      Helper.new
                      Pool.new(2)
                    end
                  end
                end
                """,
        }
    )
    start = "lib/shop/checkout.rb|Method:Shop.Checkout.start"
    assert {edge for edge in repo.edge_set("CALLS") if edge[0] == start} == {
        (start, "lib/shop/base.rb|Class:Shop.Config.Loader", "unique_name"),
        (start, "lib/shop/base.rb|Class:Shop.Base", "unique_name"),
        (start, "lib/shop/checkout.rb|Method:Shop.Pool.self.new", "scope"),
    }
