//! Derive macros for [pypickle](https://docs.rs/pypickle): a struct whose
//! fields are a Python instance's `__dict__`.
//!
//! `#[derive(Pickle)]` implements `pypickle::class::Pickle` (pickling, with
//! the bytes CPython writes for the same instance of a Python class) and
//! `#[derive(Unpickle)]` implements `pypickle::class::Unpickle` (loading).
//!
//! ```ignore
//! #[derive(Pickle, Unpickle, Default)]
//! #[pickle(module = "__main__", name = "SimpleObject")]
//! struct SimpleObject {
//!     name: String,
//!     name_backwards: String,
//! }
//! ```
//!
//! Container attributes, `#[pickle(...)]` on the struct:
//! - `module = "m"`: the class's module (default `__main__`);
//! - `name = "Q"`: its qualified name (default the struct's name);
//! - `slots`: the class has `__slots__` and no `__dict__`: the state is
//!   `(None, {slot: value})`, and protocols 0 and 1 refuse it, as in CPython.
//!
//! Field attributes:
//! - `rename = "attr"`: the attribute's Python name;
//! - `skip`: not pickled (as a `__getstate__` that leaves it out); loads as
//!   `Default::default()`;
//! - `default`: may be missing from the state; then `Default::default()`.
//!
//! Every field type must implement `Default`: like Python's `__new__`, a
//! rebuild starts from an empty object and then sets its state.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Fields, LitStr};

/// Implements `pypickle::class::Pickle`: the struct pickles as an instance
/// whose `__dict__` holds its fields.
#[proc_macro_derive(Pickle, attributes(pickle))]
pub fn derive_pickle(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, pickle_impl)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Implements `pypickle::class::Unpickle`: the struct loads from an
/// instance whose `__dict__` (or slots) holds its fields.
#[proc_macro_derive(Unpickle, attributes(pickle))]
pub fn derive_unpickle(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, unpickle_impl)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

struct Class {
    module: String,
    name: String,
    slots: bool,
}

struct Field {
    ident: syn::Ident,
    ty: syn::Type,
    attr: String,
    skip: bool,
    default: bool,
}

fn expand(
    input: &DeriveInput,
    make: fn(&DeriveInput, &Class, &[Field]) -> Tokens,
) -> syn::Result<Tokens> {
    let class = class_attrs(input)?;
    let fields = fields(input)?;
    Ok(make(input, &class, &fields))
}

fn class_attrs(input: &DeriveInput) -> syn::Result<Class> {
    let mut class = Class {
        module: "__main__".into(),
        name: input.ident.to_string(),
        slots: false,
    };
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("pickle")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("module") {
                class.module = meta.value()?.parse::<LitStr>()?.value();
            } else if meta.path.is_ident("name") {
                class.name = meta.value()?.parse::<LitStr>()?.value();
            } else if meta.path.is_ident("slots") {
                class.slots = true;
            } else {
                return Err(meta.error("expected `module`, `name` or `slots`"));
            }
            Ok(())
        })?;
    }
    Ok(class)
}

fn fields(input: &DeriveInput) -> syn::Result<Vec<Field>> {
    let named = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => named.named.iter().collect(),
            Fields::Unit => Vec::new(),
            Fields::Unnamed(_) => {
                return Err(syn::Error::new_spanned(
                    &input.ident,
                    "pickle derives need named fields: they become the instance's attributes",
                ))
            }
        },
        _ => {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "pickle derives support structs; implement Pickle/Unpickle by hand for enums",
            ))
        }
    };
    named
        .into_iter()
        .map(|f| {
            let ident = f.ident.clone().expect("named field");
            let mut field = Field {
                attr: ident.to_string().trim_start_matches("r#").to_owned(),
                ident,
                ty: f.ty.clone(),
                skip: false,
                default: false,
            };
            for attr in f.attrs.iter().filter(|a| a.path().is_ident("pickle")) {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        field.attr = meta.value()?.parse::<LitStr>()?.value();
                    } else if meta.path.is_ident("skip") {
                        field.skip = true;
                    } else if meta.path.is_ident("default") {
                        field.default = true;
                    } else {
                        return Err(meta.error("expected `rename`, `skip` or `default`"));
                    }
                    Ok(())
                })?;
            }
            Ok(field)
        })
        .collect()
}

fn pickle_impl(input: &DeriveInput, class: &Class, fields: &[Field]) -> Tokens {
    let ty = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (module, name, slots) = (&class.module, &class.name, class.slots);
    let puts = fields.iter().filter(|f| !f.skip).map(|f| {
        let (ident, attr) = (&f.ident, &f.attr);
        quote! { state.field(p, #attr, &self.#ident)?; }
    });
    // Python's object.__getstate__: the dict, or None when it is empty;
    // with __slots__, (None, slots) or None.
    let finish = if slots {
        quote! {
            let slots = state.finish(p)?;
            Ok(Some(p.add(::pypickle::Object::Tuple(::std::vec![::pypickle::Value::None, slots].into()))?))
        }
    } else {
        quote! { Ok(Some(state.finish(p)?)) }
    };
    quote! {
        impl #impl_generics ::pypickle::class::Pickle for #ty #ty_generics #where_clause {
            const MODULE: &'static str = #module;
            const NAME: &'static str = #name;

            fn get_state(
                &self,
                p: &mut ::pypickle::class::ToGraph,
            ) -> ::pypickle::Result<::std::option::Option<::pypickle::Value>> {
                let mut state = p.state_dict();
                #(#puts)*
                if state.is_empty() {
                    return Ok(None);
                }
                #finish
            }

            fn slots_state(&self) -> bool {
                #slots
            }
        }
    }
}

fn unpickle_impl(input: &DeriveInput, class: &Class, fields: &[Field]) -> Tokens {
    let ty = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (module, name) = (&class.module, &class.name);
    let inits = fields.iter().map(|f| {
        let ident = &f.ident;
        quote! { #ident: ::std::default::Default::default(), }
    });
    let sets = fields.iter().filter(|f| !f.skip).map(|f| {
        let (ident, attr) = (&f.ident, &f.attr);
        if f.default {
            quote! {
                if let Some(v) = attrs.get_opt(l, #attr)? {
                    self.#ident = v;
                }
            }
        } else {
            quote! { self.#ident = attrs.get(l, #attr)?; }
        }
    });
    let registers = fields.iter().filter(|f| !f.skip).map(|f| {
        let ty = &f.ty;
        quote! { <#ty as ::pypickle::class::FromPython>::register(registry); }
    });
    quote! {
        impl #impl_generics ::pypickle::class::Unpickle for #ty #ty_generics #where_clause {
            const MODULE: &'static str = #module;
            const NAME: &'static str = #name;

            fn new(
                _l: &mut ::pypickle::class::FromGraph,
                _args: &[::pypickle::Value],
            ) -> ::pypickle::Result<Self> {
                Ok(Self { #(#inits)* })
            }

            fn set_state(
                &mut self,
                l: &mut ::pypickle::class::FromGraph,
                state: ::pypickle::Value,
            ) -> ::pypickle::Result<()> {
                let attrs = l.attrs::<Self>(state)?;
                #(#sets)*
                Ok(())
            }

            fn register_fields(registry: &mut ::pypickle::class::Registry) {
                #(#registers)*
            }
        }
    }
}
